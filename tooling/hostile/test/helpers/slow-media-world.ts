/**
 * The world of the slow-media tests: slow media remotes of the testkit (body drip, multipart preamble drip,
 * headers never sent) beside a good remote homeserver, TLS from one test CA, all on loopback, and the media
 * fetcher of `media-fetcher serve` started in-process from YAML with short limits, direct or through a real Squid
 * that resolves the test names to 127.0.0.1.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@homeserver/config';
import { generateSigningKey } from '@homeserver/federation';
import { portOf, startMediaFetcher, type RunningMediaFetcher } from '@homeserver/media-fetcher';
import {
	createCertificateAuthority,
	loopbackLookup,
	startRemoteHomeserver,
	startSlowMediaRemote,
	startSquid,
	type RemoteHomeserver,
	type SlowMediaMode,
	type SlowMediaRemote,
} from '@homeserver/testkit';
import type { ExecutionContext } from 'ava';
import { pino } from 'pino';

/** The bytes the good remote serves under `good`. */
export const GOOD_BYTES = Buffer.from('served despite the slow remotes '.repeat(64));

/** One answer of the fetcher. */
export interface SlowAnswer {
	readonly status: number;
	readonly retryAfter: string | undefined;
	readonly body: Buffer;
}

/** A started world. */
export interface SlowMediaWorld {
	readonly fetcher: RunningMediaFetcher;
	readonly slow: ReadonlyArray<{ readonly remote: SlowMediaRemote; readonly serverName: string }>;
	readonly good: RemoteHomeserver;
	get(serverName: string, mediaId: string): Promise<SlowAnswer>;
}

/** Starts the world; `via` says whether outbound requests go through Squid. */
export async function startSlowMediaWorld(
	t: ExecutionContext,
	modes: readonly SlowMediaMode[],
	via: 'direct' | 'squid',
	limits: Readonly<Record<string, number>>,
): Promise<SlowMediaWorld> {
	const dir = await mkdtemp(join(tmpdir(), 'hostile-slow-media-'));
	const cleanups: Array<() => unknown> = [() => rm(dir, { recursive: true, force: true })];
	t.teardown(async () => {
		for (const cleanup of cleanups.reverse()) await cleanup();
	});
	const ca = await createCertificateAuthority();
	const names = modes.map((_, index) => `slow${index}.test`);
	const allNames = [...names, 'good.test'];
	const tls = await ca.issue({ dnsNames: allNames });
	const key = generateSigningKey('a_hostile');
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
	const hosts = Object.fromEntries(allNames.map((name) => [name, '127.0.0.1']));
	const proxyLines: string[] = [];
	if (via === 'squid') {
		const squid = await startSquid({ hosts });
		cleanups.push(() => squid.close());
		proxyLines.push(`https_proxy: ${squid.url}`, `http_proxy: ${squid.url}`);
	}
	const config = loadConfig({
		env: {},
		configPath: join(dir, 'homeserver.yaml'),
		yamlText: [
			'server_name: local.test',
			'signing_key_path: signing.key',
			'federation_custom_ca_list: [ca.pem]',
			'ip_range_whitelist: ["127.0.0.1"]',
			'media_store_path: media',
			...proxyLines,
			'media_fetcher:',
			'  listen: {bind_address: 127.0.0.1, port: 0}',
			'  database: {name: sqlite3, args: {database: media.db}}',
			...Object.entries(limits).map(([name, value]) => `  ${name}: ${value}`),
		].join('\n'),
	});
	const fetcher = await startMediaFetcher(config, {
		logger: pino({ level: 'silent' }),
		// Through Squid no name is looked up here; direct, every test name is loopback.
		lookup: loopbackLookup(hosts),
		dns: { resolveSrv: () => Promise.reject(new Error('no SRV lookups in tests')) },
		outbound: { retryLimit: 0 },
	});
	cleanups.push(() => fetcher.close());
	const port = portOf(fetcher.server);
	return {
		fetcher,
		slow,
		good,
		get: (serverName, mediaId) =>
			new Promise((resolve, reject) => {
				const path = `/_matrix/client/v1/media/download/${encodeURIComponent(serverName)}/${mediaId}`;
				request({ host: '127.0.0.1', port, path, agent: false }, (response) => {
					const chunks: Buffer[] = [];
					response.on('data', (chunk: Buffer) => chunks.push(chunk));
					response.on('end', () => {
						const retryAfter = response.headers['retry-after'];
						resolve({ status: response.statusCode ?? 0, retryAfter, body: Buffer.concat(chunks) });
					});
					response.on('error', reject);
				})
					.once('error', reject)
					.end();
			}),
	};
}

/** Polls `check` every 50 ms for at most `ms`; the last result (tests assert on it, bounded in time). */
export async function eventually(check: () => boolean, ms: number): Promise<boolean> {
	const end = Date.now() + ms;
	while (!check()) {
		if (Date.now() > end) return false;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	return true;
}
