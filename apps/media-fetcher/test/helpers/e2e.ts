// One end-to-end environment per test: a test CA, the testkit's remote homeserver (which verifies our X-Matrix
// signatures independently and writes Synapse's multipart layout), a plain-http CDN for `Location` answers, a real
// Squid that resolves remote.test and cdn.test to loopback, and the media service configured from YAML to use it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '@homeserver/config';
import { generateSigningKey } from '@homeserver/federation';
import type { OutboundHttp } from '@homeserver/outbound-http';
import {
	createCertificateAuthority,
	loopbackLookup,
	requireSquid,
	startHttpServer,
	startRemoteHomeserver,
	startSquid,
	type DestinationServer,
	type RemoteHomeserver,
	type SquidProxy,
} from '@homeserver/testkit';
import type { ExecutionContext } from 'ava';
import {
	createRemoteSourceFromConfig,
	MediaService,
	MediaStore,
	type RemoteSourceOptions,
} from '../../src/index.js';
import { silentLogger } from './store.js';

/** In CI (or with TESTKIT_REQUIRE_SQUID=1) a missing Squid fails the test instead of skipping it. */
const squidRequired = Boolean(process.env['CI']) || process.env['TESTKIT_REQUIRE_SQUID'] === '1';

/** The bytes every CDN answer carries. */
export const CDN_BYTES = Buffer.from('Hello world!'.repeat(30));

export interface Environment {
	readonly dir: string;
	readonly configPath: string;
	readonly config: Config;
	readonly remote: RemoteHomeserver;
	/** `remote.test:PORT`: an explicit port, so no .well-known and no SRV. */
	readonly serverName: string;
	/** Answers `GET /media/*` with {@link CDN_BYTES}; `/redirect-to-literal` redirects to `http://127.0.0.1:PORT/`. */
	readonly cdn: DestinationServer;
	readonly squid: SquidProxy;
	readonly store: MediaStore;
	readonly service: MediaService;
	readonly http: OutboundHttp;
	/** What the CLI needs to reach the test servers the same way. */
	readonly remoteOptions: Omit<RemoteSourceOptions, 'logger'>;
}

/** Starts everything, or returns undefined when Squid is missing outside CI (the test then passes, saying so). */
export async function startEnvironment(t: ExecutionContext): Promise<Environment | undefined> {
	if (!(await requireSquid(t, squidRequired))) return undefined;
	const dir = await mkdtemp(join(tmpdir(), 'media-fetcher-e2e-'));
	const cleanups: Array<() => unknown> = [() => rm(dir, { recursive: true, force: true })];
	t.teardown(async () => {
		for (const cleanup of cleanups.reverse()) await cleanup();
	});
	const ca = await createCertificateAuthority();
	const key = generateSigningKey('a_test');
	await writeFile(join(dir, 'signing.key'), key.toKeyFileText(), { mode: 0o600 });
	await writeFile(join(dir, 'ca.pem'), ca.certPem);
	const remote = await startRemoteHomeserver({
		serverName: 'remote.test',
		tls: await ca.issue({ dnsNames: ['remote.test'] }),
		keys: { 'local.test': { keyId: key.keyId, publicKeyBase64: key.publicKeyBase64 } },
	});
	cleanups.push(() => remote.close());
	const serverName = `remote.test:${remote.port}`;
	remote.setServerName(serverName);
	const cdn = await startHttpServer((request, response) => {
		if (request.url === '/redirect-to-literal') {
			// A hop the first URL did not show: it must be routed and checked on its own.
			response.writeHead(302, { location: `http://127.0.0.1:${cdn.port}/media/secret` }).end();
			return;
		}
		response.writeHead(200, {
			'content-type': 'text/plain',
			'content-disposition': 'inline; filename="from-cdn.txt"',
		});
		response.end(CDN_BYTES);
	});
	cleanups.push(() => cdn.close());
	const squid = await startSquid({ hosts: { 'remote.test': '127.0.0.1', 'cdn.test': '127.0.0.1' } });
	cleanups.push(() => squid.close());
	const yamlText = [
		'server_name: local.test',
		'signing_key_path: signing.key',
		`https_proxy: ${squid.url}`,
		`http_proxy: ${squid.url}`,
		'federation_custom_ca_list: [ca.pem]',
		'max_upload_size: 64K',
		'media_store_path: media',
		'media_fetcher:',
		'  listen: {bind_address: 127.0.0.1, port: 0}',
		'  metrics: {bind_address: 127.0.0.1, port: 0}',
		'  database: {name: sqlite3, args: {database: media.db}}',
	].join('\n');
	const configPath = join(dir, 'homeserver.yaml');
	await writeFile(configPath, yamlText);
	const config = loadConfig({ env: {}, configPath });
	const remoteOptions = {
		// Everything goes through Squid (an IP literal): any name looked up here is a bug, and stays on loopback.
		lookup: loopbackLookup({}),
		dns: { resolveSrv: () => Promise.reject(new Error('no SRV lookups in tests')) },
		outbound: { timeouts: { socket: 1500 }, retryLimit: 0 },
	};
	const { source, http } = await createRemoteSourceFromConfig(config, {
		logger: silentLogger,
		...remoteOptions,
	});
	cleanups.push(() => http.close());
	const database = config.mediaFetcher.database;
	const databasePath = database.kind === 'sqlite' ? database.path : join(dir, 'media.db');
	const store = await MediaStore.open({ root: config.mediaStorePath, databasePath });
	cleanups.push(() => store.close());
	const service = new MediaService({ store, source, maxBytes: config.maxUploadSize, logger: silentLogger });
	return { dir, configPath, config, remote, serverName, cdn, squid, store, service, http, remoteOptions };
}
