// One end-to-end environment per test (testkit's `startFederationEnvironment`): a test CA, the testkit's remote homeserver (which verifies our X-Matrix
// signatures independently and writes Synapse's multipart layout), a plain-http CDN for `Location` answers, a real
// Squid that resolves remote.test and cdn.test to loopback, and the media service configured from YAML to use it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig, type Config } from '@homeserver/config';
import type { OutboundHttp } from '@homeserver/outbound-http';
import {
	loopbackLookup,
	requireSquid,
	startFederationEnvironment,
	startHttpServer,
	type DestinationServer,
	type RemoteHomeserver,
	type SquidProxy,
} from '@homeserver/testkit';
import type { ExecutionContext } from 'ava';
import { MediaService } from '../../src/media-service.js';
import { createRemoteSourceFromConfig, type RemoteSourceOptions } from '../../src/remote/from-config.js';
import { MediaStore } from '../../src/store/media-store.js';
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
	const env = await startFederationEnvironment({
		origin: 'local.test',
		remoteHost: 'remote.test',
		remoteNameWithPort: true,
		extraHosts: { 'cdn.test': '127.0.0.1' },
		dirPrefix: 'media-fetcher-e2e-',
	});
	const cleanups: Array<() => unknown> = [() => env.close()];
	t.teardown(async () => {
		for (const cleanup of cleanups.reverse()) await cleanup();
	});
	const { dir, remote, serverName, squid } = env;
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
	const yamlText = [
		...env.yamlLines,
		`http_proxy: ${squid.url}`,
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
