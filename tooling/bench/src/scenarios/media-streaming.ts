/**
 * Scenario 3: one large body through Squid from a loopback https origin that generates it on the fly:
 * throughput of ours (a got stream of `@homeserver/outbound-http`) against curl through the same Squid and
 * raw node:https, and the peak RSS of the process that downloads, for 10 MiB, 100 MiB and 1 GiB.
 */
import { forkProbe } from '../lib/child.js';
import { withCleanup } from '../lib/cleanup.js';
import { curlDownload } from '../lib/curl.js';
import { describeError } from '../lib/load.js';
import type { Scenario, ScenarioReport, TargetResult } from '../lib/scenario.js';
import { fmtMiB, fmtNumber, fmtRatio, median, ratio } from '../lib/stats.js';
import { PROXY_PASSWORD, PROXY_USER, startBenchSquid } from '../lib/squid.js';
import type { ProbeFailure, ProbeProxy, StreamJob, StreamResult } from '../probes/probe-protocol.js';
import { startOrigin } from '../servers/origin.js';

const MiB = 2 ** 20;
const CONTENDERS = ['ours', 'raw node + hpagent', 'curl'] as const;
type Contender = (typeof CONTENDERS)[number];

interface Sample {
	readonly mibPerSecond: number;
	readonly peakRss: number;
	readonly rssBefore: number;
}

async function probe(job: StreamJob, timeoutMs: number): Promise<Sample> {
	const child = await forkProbe(new URL('../probes/stream-probe.ts', import.meta.url));
	try {
		const r = await child.ask<StreamResult | ProbeFailure>(job, 'result', timeoutMs);
		if ('error' in r) throw new Error(r.error);
		return { mibPerSecond: r.bytes / MiB / (r.elapsedMs / 1000), peakRss: r.peakRss, rssBefore: r.rssBefore };
	} finally {
		await child.stop();
	}
}

/** The media-streaming scenario. */
export const mediaStreaming: Scenario = {
	id: 'media-streaming',
	title: 'Media streaming through Squid',
	run: (ctx) =>
		withCleanup(async (cleanup): Promise<ScenarioReport> => {
			const sizes = ctx.quick ? [4 * MiB] : [10 * MiB, 100 * MiB, 1024 * MiB];
			const roundsFor = (size: number): number => (ctx.quick ? 1 : size >= 1024 * MiB ? 2 : 3);
			const origin = await startOrigin(cleanup, { https: 1, http: 0 });
			const squid = await startBenchSquid(cleanup, { hosts: { [origin.hostName]: '127.0.0.1' } });
			const proxy: ProbeProxy = {
				host: squid.host,
				port: squid.port,
				username: PROXY_USER,
				password: PROXY_PASSWORD,
				caPem: origin.caPem,
				caFile: origin.caFile,
			};
			const notes: string[] = [];
			const rows: string[][] = [];
			const results = new Map<string, Sample[]>();
			for (const size of sizes) {
				const url = `https://${origin.hostName}:${origin.httpsPorts[0]}/bytes/${size}`;
				// 20 MiB/s at the very least, plus start-up.
				const timeoutMs = 15_000 + (size / (20 * MiB)) * 1000;
				for (let round = 0; round < roundsFor(size); round++) {
					for (let k = 0; k < CONTENDERS.length; k++) {
						const c = CONTENDERS[(k + round) % CONTENDERS.length]!;
						ctx.log(`${fmtMiB(size)} ${c} round ${round + 1}`);
						let sample: Sample;
						try {
							if (c === 'curl') {
								const r = await curlDownload(url, proxy, timeoutMs / 1000);
								if (r.bytes !== size) throw new Error(`curl received ${r.bytes} bytes`);
								sample = {
									mibPerSecond: size / MiB / (r.elapsedMs / 1000),
									peakRss: r.peakRss,
									rssBefore: Number.NaN,
								};
							} else {
								const client = c === 'ours' ? 'ours' : 'raw';
								sample = await probe({ type: 'stream', client, url, expectedBytes: size, proxy }, timeoutMs);
							}
						} catch (error) {
							const note = `${c} at ${fmtMiB(size)}: ${describeError(error)}`;
							if (!notes.includes(note)) notes.push(note);
							continue;
						}
						const key = `${c} ${size}`;
						results.set(key, [...(results.get(key) ?? []), sample]);
					}
				}
				const med = (c: Contender, f: (s: Sample) => number): number =>
					median((results.get(`${c} ${size}`) ?? []).map(f));
				const tput = (c: Contender): number => med(c, (s) => s.mibPerSecond);
				rows.push([
					fmtMiB(size),
					fmtNumber(tput('ours'), 0),
					fmtNumber(tput('raw node + hpagent'), 0),
					fmtNumber(tput('curl'), 0),
					fmtRatio(ratio(tput('ours'), tput('curl'))),
					fmtMiB(med('ours', (s) => s.rssBefore)),
					fmtMiB(med('ours', (s) => s.peakRss)),
					fmtMiB(med('raw node + hpagent', (s) => s.peakRss)),
					fmtMiB(med('curl', (s) => s.peakRss)),
				]);
			}
			const peak = (size: number): number =>
				median((results.get(`ours ${size}`) ?? []).map((s) => s.peakRss));
			const tputAt = (c: Contender, size: number): number =>
				median((results.get(`${c} ${size}`) ?? []).map((s) => s.mibPerSecond));
			const largest = sizes[sizes.length - 1]!;
			const smallest = sizes[0]!;
			const vsCurl = ratio(tputAt('ours', largest), tputAt('curl', largest));
			const peaks = sizes.map(peak);
			const maxPeak = Math.max(...peaks);
			const growth = peak(largest) - peak(smallest);
			const targets: TargetResult[] = [
				{
					target: `throughput ≥ 0.9x curl at ${fmtMiB(largest)}`,
					met: Number.isFinite(vsCurl) ? vsCurl >= 0.9 : null,
					detail: Number.isFinite(vsCurl)
						? `${fmtNumber(tputAt('ours', largest))} vs ${fmtNumber(tputAt('curl', largest))} MiB/s: ${fmtRatio(vsCurl)}`
						: 'not measured',
				},
				{
					target: 'peak RSS < 100 MB at every size',
					met: Number.isFinite(maxPeak) ? maxPeak < 100e6 : null,
					detail: Number.isFinite(maxPeak)
						? `largest peak ${fmtMiB(maxPeak)} (${fmtNumber(maxPeak / 1e6, 1)} MB)`
						: 'not measured',
				},
				{
					target: `peak RSS flat in file size (${fmtMiB(largest)} peak − ${fmtMiB(smallest)} peak < 16 MiB)`,
					met: Number.isFinite(growth) ? growth < 16 * MiB : null,
					detail: Number.isFinite(growth) ? `${fmtMiB(growth)} more at ${fmtMiB(largest)}` : 'not measured',
				},
			];
			return {
				method:
					'The origin generates the body on the fly (never stored), `Content-Length` set, written with back-pressure; ' +
					'each download runs through Squid (CONNECT, Basic auth) into /dev/null. ours and raw node run in a fresh ' +
					'child process per download, so VmHWM (peak RSS, /proc/self/status) is that download’s alone; “RSS before” ' +
					'is VmRSS once the client is built. curl is timed by its own `%{time_total}`; its peak RSS comes from GNU ' +
					'time. ours is a got stream from `@homeserver/outbound-http` (purpose `federation`, verified against the ' +
					`test CA). Rounds: ${roundsFor(smallest)} per size (${roundsFor(largest)} at ${fmtMiB(largest)}), order rotated; medians.`,
				tables: [
					{
						title: 'Throughput (MiB/s, median) and memory',
						columns: [
							'size',
							'ours MiB/s',
							'raw node MiB/s',
							'curl MiB/s',
							'ours / curl',
							'ours RSS before',
							'ours peak RSS',
							'raw peak RSS',
							'curl peak RSS',
						],
						rows,
					},
				],
				targets,
				notes,
			};
		}),
};
