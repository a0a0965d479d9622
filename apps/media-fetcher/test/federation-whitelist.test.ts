// federation_domain_whitelist in the media fetcher: media of a server it does not list is refused before the store
// and the network, as Synapse does (403 M_FORBIDDEN "Federation denied with <server>."); `fetch` fails with
// ERR_FEDERATION_DENIED. The remote side fails the test if it is ever asked.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LookupFunction } from 'node:net';
import { PassThrough } from 'node:stream';
import test, { type ExecutionContext } from 'ava';
import { loadConfig } from '@homeserver/config';
import { generateSigningKey } from '@homeserver/federation';
import { isOutboundHttpError } from '@homeserver/outbound-http';
import type { CliIo } from '../src/cli/io.js';
import { runCli } from '../src/cli/main.js';
import { openMediaFetcher, portOf } from '../src/index.js';
import type { MediaFetcherOptions } from '../src/index.js';
import { createMediaHandler } from '../src/serve/media-handler.js';
import { closeServer, listen } from '../src/serve/servers.js';
import { silentLogger } from './helpers/store.js';

async function setUp(t: ExecutionContext): Promise<{ configPath: string; remote: MediaFetcherOptions }> {
	const dir = await mkdtemp(join(tmpdir(), 'media-whitelist-'));
	t.teardown(() => rm(dir, { recursive: true, force: true }));
	await writeFile(join(dir, 'signing.key'), generateSigningKey('t1').toKeyFileText(), { mode: 0o600 });
	const configPath = join(dir, 'homeserver.yaml');
	await writeFile(
		configPath,
		[
			'server_name: origin.test',
			'signing_key_path: signing.key',
			'federation_domain_whitelist: [friend.test]',
		].join('\n'),
	);
	const lookup: LookupFunction = () => t.fail('no address lookup may happen');
	const remote: MediaFetcherOptions = {
		logger: silentLogger,
		lookup,
		dns: { resolveSrv: () => Promise.reject(new Error('no SRV lookup may happen')) },
	};
	return { configPath, remote };
}

test('serve answers 403 M_FORBIDDEN for media of a server outside federation_domain_whitelist', async (t) => {
	const { configPath, remote } = await setUp(t);
	const fetcher = await openMediaFetcher(loadConfig({ env: {}, configPath }), remote);
	t.teardown(() => fetcher.close());
	const server = await listen(createMediaHandler({ service: fetcher.service, logger: silentLogger }), {
		bindAddress: '127.0.0.1',
		port: 0,
	});
	t.teardown(() => closeServer(server));
	const response = await fetch(
		`http://127.0.0.1:${portOf(server)}/_matrix/client/v1/media/download/stranger.test/abc`,
	);
	t.is(response.status, 403);
	t.deepEqual(await response.json(), {
		errcode: 'M_FORBIDDEN',
		error: 'Federation denied with stranger.test.',
	});
	const error = await t.throwsAsync(fetcher.service.get({ serverName: 'stranger.test', mediaId: 'abc' }));
	t.true(isOutboundHttpError(error, 'ERR_FEDERATION_DENIED'), String(error));
});

test('fetch fails with ERR_FEDERATION_DENIED and exits non-zero', async (t) => {
	const { configPath, remote } = await setUp(t);
	const stderr = new PassThrough();
	const chunks: Buffer[] = [];
	stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
	const io: CliIo = {
		stdout: new PassThrough(),
		stderr,
		stderrIsTty: false,
		loadConfig: (path) => loadConfig({ env: {}, configPath: path }),
		remote,
	};
	t.is(await runCli(['fetch', 'mxc://stranger.test/abc', '--config', configPath], io), 1);
	t.regex(Buffer.concat(chunks).toString(), /^ERR_FEDERATION_DENIED: .*federation_domain_whitelist/m);
});
