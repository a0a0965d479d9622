// prevent_media_downloads_from: media of a listed server is never downloaded nor served (404 M_NOT_FOUND, as in
// Synapse, even when stored already), and no socket is opened: the listed remote fails the test if contacted.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo, LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { loadConfig } from '@homeserver/config';
import { generateSigningKey } from '@homeserver/federation';
import test, { type ExecutionContext } from 'ava';
import type { CliIo } from '../src/cli/io.js';
import { runCli } from '../src/cli/main.js';
import {
	isMediaFetcherError,
	mediaRef,
	portOf,
	startMediaFetcher,
	type RemoteMediaSource,
} from '../src/index.js';
import { MediaService } from '../src/media-service.js';
import { silentLogger, tempStore } from './helpers/store.js';

/** A loopback listener standing for the blocked remote: any connection to it fails the test. */
async function forbiddenRemote(t: ExecutionContext): Promise<number> {
	const server = createServer((socket) => {
		t.fail('a connection was opened to a server listed in prevent_media_downloads_from');
		socket.destroy();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
	return (server.address() as AddressInfo).port;
}

/** Name resolution that fails the test when asked (no lookup may happen for a blocked server). */
function forbiddenLookup(t: ExecutionContext): LookupFunction {
	return (hostname, _options, callback) => {
		t.fail(`a name was resolved for a blocked server: ${hostname}`);
		(callback as (error: Error) => void)(new Error('no lookups in this test'));
	};
}

async function configFile(t: ExecutionContext, blockedPort: number): Promise<string> {
	const dir = await mkdtemp(join(tmpdir(), 'media-fetcher-prevent-'));
	t.teardown(() => rm(dir, { recursive: true, force: true }));
	await writeFile(join(dir, 'signing.key'), generateSigningKey('a_prevent').toKeyFileText(), { mode: 0o600 });
	const path = join(dir, 'homeserver.yaml');
	await writeFile(
		path,
		[
			'server_name: local.test',
			'signing_key_path: signing.key',
			'media_store_path: media',
			'ip_range_whitelist: ["127.0.0.1"]',
			`prevent_media_downloads_from: [other.example, "Evil.test:${blockedPort}"]`,
			'media_fetcher: {listen: {bind_address: 127.0.0.1, port: 0}, database: {name: sqlite3, args: {database: media.db}}}',
		].join('\n'),
	);
	return path;
}

const never: RemoteMediaSource = {
	fetch: () => Promise.reject(new Error('the remote source was asked')),
};

test('serve answers 404 M_NOT_FOUND for a listed server, opening no socket', async (t) => {
	const port = await forbiddenRemote(t);
	const config = loadConfig({ env: {}, configPath: await configFile(t, port) });
	const fetcher = await startMediaFetcher(config, {
		logger: silentLogger,
		lookup: forbiddenLookup(t),
		dns: { resolveSrv: () => Promise.reject(new Error('no SRV lookups for a blocked server')) },
	});
	t.teardown(() => fetcher.close());
	const base = `http://127.0.0.1:${portOf(fetcher.server)}/_matrix/client/v1/media/download`;
	for (const server of [`evil.test:${port}`, `EVIL.TEST:${port}`]) {
		const response = await fetch(`${base}/${server}/abcdef`);
		t.is(response.status, 404, server);
		t.deepEqual(await response.json(), { errcode: 'M_NOT_FOUND', error: 'Not found' });
	}
});

test('fetch fails with ERR_MEDIA_DOWNLOAD_PREVENTED for a listed server, opening no socket', async (t) => {
	const port = await forbiddenRemote(t);
	const path = await configFile(t, port);
	const stdout = new PassThrough();
	const stderr = new PassThrough();
	const chunks: Buffer[] = [];
	stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
	const io: CliIo = {
		stdout,
		stderr,
		stderrIsTty: false,
		loadConfig: (configPath) => loadConfig({ env: {}, configPath }),
		remote: { lookup: forbiddenLookup(t), dns: { resolveSrv: () => Promise.reject(new Error('no SRV')) } },
	};
	t.is(await runCli(['fetch', `mxc://evil.test:${port}/abcdef`, '--config', path], io), 1);
	t.regex(Buffer.concat(chunks).toString(), /^ERR_MEDIA_DOWNLOAD_PREVENTED: Not found$/m);
});

test('media of a listed server already in the store is not served either', async (t) => {
	const { store } = await tempStore(t);
	const ref = mediaRef('evil.test', 'stored1');
	await store.save(
		ref,
		{ contentType: 'text/plain', fileName: null, body: Readable.from([Buffer.from('old bytes')]) },
		{ maxBytes: 1000 },
	);
	t.truthy(await store.lookup(ref));
	const service = new MediaService({
		store,
		source: never,
		maxBytes: 1000,
		logger: silentLogger,
		preventDownloadsFrom: ['evil.test'],
	});
	const error = await t.throwsAsync(service.get(ref));
	t.true(isMediaFetcherError(error, 'ERR_MEDIA_DOWNLOAD_PREVENTED'));
	t.like(error, { status: 404, errcode: 'M_NOT_FOUND' });
});

test('other servers, even subdomains of a listed one, are fetched as usual', async (t) => {
	const { store } = await tempStore(t);
	let asked = 0;
	const source: RemoteMediaSource = {
		fetch: () => {
			asked++;
			return Promise.resolve({
				contentType: 'text/plain',
				contentDisposition: null,
				contentLength: null,
				body: Readable.from([Buffer.from('fine')]),
			});
		},
	};
	const service = new MediaService({
		store,
		source,
		maxBytes: 1000,
		logger: silentLogger,
		preventDownloadsFrom: ['evil.test'],
	});
	t.is((await service.get(mediaRef('sub.evil.test', 'ok1'))).result, 'miss');
	t.is((await service.get(mediaRef('good.test', 'ok2'))).result, 'miss');
	t.is(asked, 2);
});
