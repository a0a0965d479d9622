// Short retries with the real federation client on loopback: the `federation:` section's max_short_retries is
// honoured by a deployment's source (createRemoteSourceFromConfig). A TCP relay in front of the testkit's remote
// homeserver resets the first connections before TLS; the download then succeeds on a later attempt, or fails
// once the retries are used up.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '@homeserver/config';
import { generateSigningKey } from '@homeserver/federation';
import {
	createCertificateAuthority,
	loopbackLookup,
	startRemoteHomeserver,
	type RemoteHomeserver,
} from '@homeserver/testkit';
import test, { type ExecutionContext } from 'ava';
import { pino } from 'pino';
import { mediaRef, type MediaFetcherError } from '../src/index.js';
import { MediaService } from '../src/media-service.js';
import { createRemoteSourceFromConfig } from '../src/remote/from-config.js';
import { tempStore } from './helpers/store.js';

const noSrv = { resolveSrv: () => Promise.reject(new Error('no SRV lookups in tests')) };

interface Relay {
	readonly port: number;
	/** Connections accepted so far. */
	readonly accepted: () => number;
}

/** A loopback TCP relay to `target` that resets its first `resets` connections at once. */
async function resettingRelay(t: ExecutionContext, target: () => number, resets: number): Promise<Relay> {
	let accepted = 0;
	const sockets = new Set<Socket>();
	const server = createServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => undefined);
		if (accepted++ < resets) {
			socket.resetAndDestroy();
			return;
		}
		const upstream = createConnection({ host: '127.0.0.1', port: target() });
		upstream.on('error', () => socket.destroy());
		socket.on('close', () => upstream.destroy());
		socket.pipe(upstream).pipe(socket);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	t.teardown(
		() =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	);
	return { port: (server.address() as AddressInfo).port, accepted: () => accepted };
}

async function setUp(t: ExecutionContext, resets: number, federationYaml: string[]) {
	const dir = await mkdtemp(join(tmpdir(), 'media-fetcher-retries-'));
	t.teardown(() => rm(dir, { recursive: true, force: true }));
	const ca = await createCertificateAuthority();
	const key = generateSigningKey('a_retry');
	await writeFile(join(dir, 'signing.key'), key.toKeyFileText(), { mode: 0o600 });
	await writeFile(join(dir, 'ca.pem'), ca.certPem);
	const behind: { remote?: RemoteHomeserver } = {};
	const relay = await resettingRelay(t, () => behind.remote?.port ?? 0, resets);
	const started = await startRemoteHomeserver({
		serverName: `remote.test:${relay.port}`,
		tls: await ca.issue({ dnsNames: ['remote.test'] }),
		keys: { 'local.test': { keyId: key.keyId, publicKeyBase64: key.publicKeyBase64 } },
	});
	behind.remote = started;
	t.teardown(() => started.close());
	const config: Config = loadConfig({
		env: {},
		configPath: join(dir, 'homeserver.yaml'),
		yamlText: [
			'server_name: local.test',
			'signing_key_path: signing.key',
			'federation_custom_ca_list: [ca.pem]',
			'ip_range_whitelist: ["127.0.0.1"]',
			'federation:',
			...federationYaml.map((line) => `  ${line}`),
		].join('\n'),
	});
	const logger = pino({ level: 'silent' });
	const { source, http } = await createRemoteSourceFromConfig(config, {
		logger,
		lookup: loopbackLookup({ 'remote.test': '127.0.0.1' }),
		dns: noSrv,
		outbound: { retryLimit: 0 },
	});
	t.teardown(() => http.close());
	const { store } = await tempStore(t);
	const media = new MediaService({ store, source, maxBytes: 100_000, logger });
	return { remote: started, relay, media, serverName: started.serverName };
}

test('connections reset before an answer are retried (max_short_retries) and the media is stored', async (t) => {
	// max_short_retry_delay: 0 keeps the test free of waits; the schedule itself is tested in short-retries.test.ts.
	const { remote, relay, media, serverName } = await setUp(t, 2, [
		'max_short_retries: 2',
		'max_short_retry_delay: 0',
	]);
	remote.media.add('flaky', { bytes: 'survived', contentType: 'text/plain' });
	const { media: stored, result } = await media.get(mediaRef(serverName, 'flaky'));
	t.is(result, 'miss');
	t.is(stored.size, 'survived'.length);
	t.is(relay.accepted(), 3, 'two reset connections, then the one that answered');
	t.is(remote.requests.length, 1, 'the remote saw one request');
});

test('once max_short_retries is used up the reset is the download’s failure, and nothing more is tried', async (t) => {
	const { remote, relay, media, serverName } = await setUp(t, 10, [
		'max_short_retries: 1',
		'max_short_retry_delay: 0',
	]);
	remote.media.add('down', { bytes: 'never', contentType: 'text/plain' });
	const error = await t.throwsAsync<MediaFetcherError>(media.get(mediaRef(serverName, 'down')));
	t.is(error.code, 'ERR_REMOTE_FAILED');
	t.is(relay.accepted(), 2, 'one attempt and one retry');
	t.is(remote.requests.length, 0);
});

test('an error answer from the remote is not retried', async (t) => {
	const { remote, relay, media, serverName } = await setUp(t, 0, [
		'max_short_retries: 3',
		'max_short_retry_delay: 0',
	]);
	remote.failNext(1, 502);
	remote.media.add('bad-gateway', { bytes: 'x', contentType: 'text/plain' });
	await t.throwsAsync(media.get(mediaRef(serverName, 'bad-gateway')));
	t.is(remote.requests.length, 1);
	t.is(relay.accepted(), 1);
});
