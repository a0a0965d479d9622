/**
 * Child process (run with --expose-gc): GETs `https://d<i>.<suffix>:<port>/1k` for `count` distinct names,
 * each name mapped to 127.0.0.1 by an injected lookup (direct) or by Squid's hosts file (proxy), and reports
 * RSS after a full GC, heap and open descriptors at checkpoints, then once more after an idle wait. At a checkpoint
 * the load pauses (no new request; those in flight finish), so every figure is taken in the same quiet state.
 */
import { get as httpsGet } from 'node:https';
import { Agent as HttpsAgent } from 'node:https';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkResponse, proxyUrl, readNodeResponse } from '../contenders/contender.js';
import { suffixLookup } from '../lib/bench-lookup.js';
import { describeError } from '../lib/load.js';
import { memoryFigures, openDescriptors } from '../lib/proc-status.js';
import type { Checkpoint, DestinationsJob, DestinationsResult, ProbeFailure } from './probe-protocol.js';

const EXPECTED = 1024;

async function makeGet(job: DestinationsJob): Promise<(url: string) => Promise<void>> {
	const lookup = suffixLookup(job.suffix);
	if (job.client === 'raw-direct') {
		const agent = new HttpsAgent({ keepAlive: true, lookup, ca: job.proxy.caPem });
		return (url) =>
			new Promise((resolve, reject) => {
				httpsGet(url, { agent }, (res) => {
					readNodeResponse(res, EXPECTED).then(resolve, reject);
				}).on('error', reject);
			});
	}
	// Purpose federation: verified against federation_custom_ca_list (the test CA alone, as raw's `ca`); direct
	// connections to 127.0.0.1 are refused by the default blocklist unless allowed.
	// Loaded only here, so the bare agent's figures do not carry our modules.
	const [{ loadConfig }, { createOutboundHttp }] = await Promise.all([
		import('@homeserver/config'),
		import('@homeserver/outbound-http'),
	]);
	const cfg = loadConfig({
		env: job.client === 'ours-proxy' ? { https_proxy: proxyUrl(job.proxy) } : {},
		yamlText: `federation_custom_ca_list: [${JSON.stringify(job.proxy.caFile)}]\nip_range_whitelist: ['127.0.0.1/32']\n`,
	});
	const client = createOutboundHttp(cfg, { lookup }).client('federation');
	return async (url) => {
		const res = await client.get(url);
		checkResponse(res.statusCode, res.rawBody.length, EXPECTED);
	};
}

const macrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100));

/**
 * Figures after full GCs that V8 has finished: a forced GC returns before its concurrent sweeping is done, and
 * pages emptied by it are released only after that, so one GC read at once counts freed heap as resident.
 */
async function measure(at: number | 'idle'): Promise<Checkpoint> {
	for (let i = 0; i < 2; i++) {
		globalThis.gc?.();
		await macrotask();
	}
	globalThis.gc?.();
	return {
		at,
		rss: memoryFigures().rss,
		heapUsed: process.memoryUsage().heapUsed,
		openFds: openDescriptors(),
	};
}

async function run(job: DestinationsJob): Promise<DestinationsResult> {
	const get = await makeGet(job);
	const baseline = await measure(0);
	const checkpoints: Checkpoint[] = [];
	const pending = new Set(job.checkpoints);
	let next = 0;
	let done = 0;
	let errors = 0;
	let firstError: string | undefined;
	let inFlight = 0;
	let paused: Promise<void> | undefined;
	let quiet: (() => void) | undefined;
	const t0 = performance.now();
	const checkpoint = async (at: number): Promise<void> => {
		const drained = new Promise<void>((resolve) => (quiet = resolve));
		if (inFlight === 0) quiet?.();
		await drained;
		checkpoints.push(await measure(at));
	};
	const worker = async (): Promise<void> => {
		while (next < job.count && errors < 50 && performance.now() - t0 < job.maxMs) {
			while (paused !== undefined) await paused;
			const i = next++;
			inFlight++;
			try {
				await get(`https://d${i}.${job.suffix}:${job.port}/1k`);
			} catch (error) {
				errors++;
				firstError ??= describeError(error);
			}
			inFlight--;
			done++;
			if (pending.delete(done)) {
				paused = checkpoint(done).finally(() => (paused = undefined));
			}
			if (inFlight === 0) quiet?.();
		}
	};
	await Promise.all(Array.from({ length: job.concurrency }, worker));
	await paused; // the last checkpoint may still be measuring
	const elapsedMs = performance.now() - t0;
	if (job.idleWaitMs > 0) {
		await sleep(job.idleWaitMs);
		checkpoints.push(await measure('idle'));
	}
	return { type: 'result', done, errors, firstError, elapsedMs, baseline, checkpoints };
}

process.once('message', (job: DestinationsJob) => {
	run(job)
		.catch((error: unknown): ProbeFailure => ({ type: 'result', error: describeError(error) }))
		.then((result) => process.send?.(result, () => process.exit(0)))
		.catch(() => process.exit(1));
});
