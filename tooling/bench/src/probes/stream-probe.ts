/**
 * Child process: downloads one large body through the proxy and reports throughput and its own peak RSS.
 * `ours` (a got stream of `@homeserver/outbound-http`, purpose `federation`) and raw node:https over hpagent
 * pipe it into a sink that counts and drops the bytes (curl's `-o /dev/null`; an fs stream to /dev/null would
 * cost a thread-pool write per 16 KiB chunk and cap Node near 165 MiB/s on this machine); `media-fetcher`
 * fetches it as remote media into its store, as the app does.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { get as httpsGet } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpsProxyAgent } from 'hpagent';
import { proxyUrl } from '../contenders/contender.js';
import { describeError } from '../lib/load.js';
import { noDns } from '../lib/no-dns.js';
import { memoryFigures } from '../lib/proc-status.js';
import type { ProbeFailure, StreamJob, StreamResult } from './probe-protocol.js';

async function openStream(job: StreamJob): Promise<() => Promise<NodeJS.ReadableStream>> {
	const proxy = proxyUrl(job.proxy);
	if (job.client === 'raw') {
		const agent = new HttpsProxyAgent({ proxy, keepAlive: true, ca: job.proxy.caPem });
		return () =>
			new Promise<IncomingMessage>((resolve, reject) => {
				httpsGet(job.url, { agent }, (res) => {
					if (res.statusCode === 200) resolve(res);
					else reject(new Error(`status ${res.statusCode}`));
				}).on('error', reject);
			});
	}
	// Loaded only here, so raw node's figures do not carry our modules.
	const [{ loadConfig }, { createOutboundHttp }] = await Promise.all([
		import('@homeserver/config'),
		import('@homeserver/outbound-http'),
	]);
	const cfg = loadConfig({
		env: { https_proxy: proxy },
		yamlText: `federation_custom_ca_list: [${JSON.stringify(job.proxy.caFile)}]\n`,
	});
	const client = createOutboundHttp(cfg).client('federation');
	return () => Promise.resolve(client.stream(job.url));
}

async function runMediaFetcher(job: StreamJob): Promise<StreamResult> {
	const [{ loadConfig }, { generateSigningKey }, { openMediaFetcher, parseMxc }, { pino }] =
		await Promise.all([
			import('@homeserver/config'),
			import('@homeserver/federation'),
			import('@homeserver/media-fetcher'),
			import('pino'),
		]);
	const keyFile = join(job.dir, 'signing.key');
	await writeFile(keyFile, generateSigningKey('a_bench').toKeyFileText(), { mode: 0o600 });
	const config = loadConfig({
		env: { https_proxy: proxyUrl(job.proxy) },
		yamlText: [
			'server_name: fetcher.bench.test',
			`signing_key_path: ${JSON.stringify(keyFile)}`,
			`federation_custom_ca_list: [${JSON.stringify(job.proxy.caFile)}]`,
			'max_upload_size: 2G',
			`media_store_path: ${JSON.stringify(join(job.dir, 'store'))}`,
			'media_fetcher:',
			`  database: {name: sqlite3, args: {database: ${JSON.stringify(join(job.dir, 'media.db'))}}}`,
			'',
		].join('\n'),
	});
	const fetcher = await openMediaFetcher(config, { logger: pino({ level: 'silent' }), dns: noDns });
	const { rss: rssBefore } = memoryFigures();
	const t0 = performance.now();
	const got = await fetcher.service.get(parseMxc(`mxc://${job.serverName}/b${job.expectedBytes}`));
	const elapsedMs = performance.now() - t0;
	await fetcher.close();
	const bytes = got.media.size;
	if (bytes !== job.expectedBytes) throw new Error(`stored ${bytes} bytes, expected ${job.expectedBytes}`);
	return { type: 'result', bytes, elapsedMs, rssBefore, peakRss: memoryFigures().peakRss };
}

async function run(job: StreamJob): Promise<StreamResult> {
	if (job.client === 'media-fetcher') return runMediaFetcher(job);
	const open = await openStream(job);
	const { rss: rssBefore } = memoryFigures();
	const t0 = performance.now();
	const body = await open();
	let bytes = 0;
	const sink = new Writable({
		write(chunk: Buffer, _encoding, done) {
			bytes += chunk.length;
			done();
		},
	});
	await pipeline(body, sink);
	const elapsedMs = performance.now() - t0;
	if (bytes !== job.expectedBytes) throw new Error(`received ${bytes} bytes, expected ${job.expectedBytes}`);
	return { type: 'result', bytes, elapsedMs, rssBefore, peakRss: memoryFigures().peakRss };
}

process.once('message', (job: StreamJob) => {
	run(job)
		.catch((error: unknown): ProbeFailure => ({ type: 'result', error: describeError(error) }))
		.then((result) => process.send?.(result, () => process.exit(0)))
		.catch(() => process.exit(1));
});
