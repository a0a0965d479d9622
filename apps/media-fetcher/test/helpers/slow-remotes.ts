// Sixteen slow remotes (body drip, multipart preamble drip, headers never sent) beside one good remote
// homeserver, all on loopback with TLS from one test CA, and the media service of `media-fetcher serve` configured
// from YAML with short limits (a 1 s rate window, a 6 s overall deadline), direct (no proxy).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@homeserver/config';
import { generateSigningKey } from '@homeserver/federation';
import {
	createCertificateAuthority,
	loopbackLookup,
	startRemoteHomeserver,
	startSlowMediaRemote,
	type RemoteHomeserver,
	type SlowMediaMode,
	type SlowMediaRemote,
} from '@homeserver/testkit';
import type { ExecutionContext } from 'ava';
import { startMediaFetcher, type RunningMediaFetcher } from '../../src/app.js';
import { portOf } from '../../src/serve/servers.js';
import { silentLogger } from './store.js';

/** 6 body drips, 6 preamble drips, 4 remotes that never send headers. */
export const SLOW_MODES: readonly SlowMediaMode[] = [
	...Array<SlowMediaMode>(6).fill('body'),
	...Array<SlowMediaMode>(6).fill('preamble'),
	...Array<SlowMediaMode>(4).fill('silent'),
];

/** The bytes the good remote holds under `good`. */
export const GOOD_BYTES = Buffer.from('good media '.repeat(100));

export interface SlowWorld {
	readonly fetcher: RunningMediaFetcher;
	readonly slow: ReadonlyArray<{ readonly remote: SlowMediaRemote; readonly serverName: string }>;
	readonly good: RemoteHomeserver;
	/** `GET` a download path on the fetcher. */
	get(serverName: string, mediaId: string): Promise<Answer>;
	/** `GET` that hangs up once `until` resolves. */
	getAndHangUp(serverName: string, mediaId: string, until: Promise<unknown>): Promise<void>;
}

export interface Answer {
	readonly status: number;
	readonly headers: Record<string, string | string[] | undefined>;
	readonly body: Buffer;
}

/** Starts the world; `yaml` adds or overrides `media_fetcher:` keys. */
export async function startSlowWorld(
	t: ExecutionContext,
	modes: readonly SlowMediaMode[],
	limits: Readonly<Record<string, number | string>>,
): Promise<SlowWorld> {
	const dir = await mkdtemp(join(tmpdir(), 'media-fetcher-slow-'));
	const cleanups: Array<() => unknown> = [() => rm(dir, { recursive: true, force: true })];
	t.teardown(async () => {
		for (const cleanup of cleanups.reverse()) await cleanup();
	});
	const ca = await createCertificateAuthority();
	const names = modes.map((_, index) => `slow${index}.test`);
	const tls = await ca.issue({ dnsNames: [...names, 'good.test'] });
	const key = generateSigningKey('a_slow');
	await writeFile(join(dir, 'signing.key'), key.toKeyFileText(), { mode: 0o600 });
	await writeFile(join(dir, 'ca.pem'), ca.certPem);
	const slow = [];
	for (const [index, mode] of modes.entries()) {
		const remote = await startSlowMediaRemote({ mode, tls });
		cleanups.push(() => remote.close());
		slow.push({ remote, serverName: `${names[index]}:${remote.port}` });
	}
	const good = await startRemoteHomeserver({
		serverName: (port) => `good.test:${port}`,
		tls,
		keys: { 'local.test': { keyId: key.keyId, publicKeyBase64: key.publicKeyBase64 } },
	});
	cleanups.push(() => good.close());
	good.media.add('good', { bytes: GOOD_BYTES, contentType: 'text/plain' });
	const config = loadConfig({
		env: {},
		configPath: join(dir, 'homeserver.yaml'),
		yamlText: [
			'server_name: local.test',
			'signing_key_path: signing.key',
			'federation_custom_ca_list: [ca.pem]',
			'ip_range_whitelist: ["127.0.0.1"]',
			'media_store_path: media',
			'media_fetcher:',
			'  listen: {bind_address: 127.0.0.1, port: 0}',
			'  database: {name: sqlite3, args: {database: media.db}}',
			...Object.entries(limits).map(([name, value]) => `  ${name}: ${value}`),
		].join('\n'),
	});
	const hosts = Object.fromEntries([...names, 'good.test'].map((name) => [name, '127.0.0.1']));
	const fetcher = await startMediaFetcher(config, {
		logger: silentLogger,
		lookup: loopbackLookup(hosts),
		dns: { resolveSrv: () => Promise.reject(new Error('no SRV lookups in tests')) },
		outbound: { retryLimit: 0 },
	});
	cleanups.push(() => fetcher.close());
	const port = portOf(fetcher.server);
	const path = (serverName: string, mediaId: string): string =>
		`/_matrix/client/v1/media/download/${encodeURIComponent(serverName)}/${mediaId}`;
	return {
		fetcher,
		slow,
		good,
		get: (serverName, mediaId) =>
			new Promise((resolve, reject) => {
				request({ host: '127.0.0.1', port, path: path(serverName, mediaId), agent: false }, (response) => {
					const chunks: Buffer[] = [];
					response.on('data', (chunk: Buffer) => chunks.push(chunk));
					response.on('end', () =>
						resolve({
							status: response.statusCode ?? 0,
							headers: response.headers,
							body: Buffer.concat(chunks),
						}),
					);
					response.on('error', reject);
				})
					.once('error', reject)
					.end();
			}),
		getAndHangUp: async (serverName, mediaId, until) => {
			const sent = request({ host: '127.0.0.1', port, path: path(serverName, mediaId), agent: false });
			sent.on('error', () => undefined);
			sent.end();
			await until;
			sent.destroy();
		},
	};
}

/** Polls `check` every 50 ms for at most `ms`; resolves with its last result (tests assert on it). */
export async function eventually(check: () => boolean, ms: number): Promise<boolean> {
	const end = Date.now() + ms;
	while (!check()) {
		if (Date.now() > end) return false;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	return true;
}
