/**
 * Scenario 3: one large body through Squid from a loopback https origin that generates it on the fly:
 * the media-fetcher app (signed federation download, multipart, sha256, written to its store) and our
 * outbound-http stream client, against curl through the same Squid and raw node:https; throughput and
 * the peak RSS of the downloading process, for 10 MiB, 100 MiB and 1 GiB.
 */
import { mkdir, rm } from 'node:fs/promises';
import { forkProbe } from '../lib/child.js';
import { withCleanup } from '../lib/cleanup.js';
import { curlDownload } from '../lib/curl.js';
import { budget, describeError } from '../lib/load.js';
import type { Scenario, ScenarioReport, TargetResult } from '../lib/scenario.js';
import { fmtMiB, fmtNumber, fmtRatio, median, ratio } from '../lib/stats.js';
import { PROXY_PASSWORD, PROXY_USER, startBenchSquid } from '../lib/squid.js';
import { tempDir } from '../lib/temp-dir.js';
import type { ProbeFailure, ProbeProxy, StreamJob, StreamResult } from '../probes/probe-protocol.js';
import { startOrigin } from '../servers/origin.js';

const MiB = 2 ** 20;
const FETCHER = 'ours: media-fetcher';
const STREAM = 'ours: outbound-http stream';
const RAW = 'raw node + hpagent';
const CURL = 'curl';
const CURL_SYNC = 'curl -o FILE + sync';
const CONTENDERS = [FETCHER, STREAM, RAW, CURL, CURL_SYNC] as const;
type Contender = (typeof CONTENDERS)[number];
const OURS: readonly Contender[] = [FETCHER, STREAM];

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
			const port = origin.httpsPorts[0]!;
			const proxy: ProbeProxy = {
				host: squid.host,
				port: squid.port,
				username: PROXY_USER,
				password: PROXY_PASSWORD,
				caPem: origin.caPem,
				caFile: origin.caFile,
			};
			const scratch = await tempDir(cleanup);
			const notes: string[] = [];
			const results = new Map<string, Sample[]>();
			// Later rounds are skipped (and said so) when a slow machine would push the run past its bound.
			const time = budget(ctx.quick ? 60_000 : 150_000);
			const sample = async (c: Contender, size: number, timeoutMs: number): Promise<Sample> => {
				const url = `https://${origin.hostName}:${port}/bytes/${size}`;
				if (c === CURL || c === CURL_SYNC) {
					// The file goes where the media-fetcher's store goes (the same disk), and is removed at once.
					const file = c === CURL_SYNC ? `${scratch}/curl-${size}.bin` : undefined;
					const r = await curlDownload(url, proxy, timeoutMs / 1000, file).finally(
						() => file !== undefined && rm(file, { force: true }),
					);
					if (r.bytes !== size) throw new Error(`curl received ${r.bytes} bytes`);
					return {
						mibPerSecond: size / MiB / (r.elapsedMs / 1000),
						peakRss: r.peakRss,
						rssBefore: Number.NaN,
					};
				}
				const client = c === FETCHER ? 'media-fetcher' : c === STREAM ? 'ours' : 'raw';
				const dir = `${scratch}/${client}-${size}`;
				await mkdir(dir);
				try {
					const job: StreamJob = {
						type: 'stream',
						client,
						url,
						serverName: `${origin.hostName}:${port}`,
						dir,
						expectedBytes: size,
						proxy,
					};
					return await probe(job, timeoutMs);
				} finally {
					// The fetcher's store holds the whole file: free the disk at once.
					await rm(dir, { recursive: true, force: true });
				}
			};
			for (const size of sizes) {
				// 10 MiB/s at the very least, plus start-up.
				const timeoutMs = 15_000 + (size / (10 * MiB)) * 1000;
				for (let round = 0; round < roundsFor(size); round++) {
					if (round > 0 && time.spent()) {
						notes.push(`${fmtMiB(size)}: only ${round} round(s): the scenario's time budget was spent`);
						break;
					}
					for (let k = 0; k < CONTENDERS.length; k++) {
						const c = CONTENDERS[(k + round) % CONTENDERS.length]!;
						ctx.log(`${fmtMiB(size)} ${c} round ${round + 1}`);
						try {
							const s = await sample(c, size, timeoutMs);
							results.set(`${c} ${size}`, [...(results.get(`${c} ${size}`) ?? []), s]);
						} catch (error) {
							const note = `${c} at ${fmtMiB(size)}: ${describeError(error)}`;
							if (!notes.includes(note)) notes.push(note);
						}
					}
				}
			}
			const med = (c: Contender, size: number, f: (s: Sample) => number): number =>
				median((results.get(`${c} ${size}`) ?? []).map(f));
			const tput = (c: Contender, size: number): number => med(c, size, (s) => s.mibPerSecond);
			const peak = (c: Contender, size: number): number => med(c, size, (s) => s.peakRss);
			const throughputRows = sizes.map((size) => [
				fmtMiB(size),
				...CONTENDERS.map((c) => fmtNumber(tput(c, size))),
				...OURS.map((c) => fmtRatio(ratio(tput(c, size), tput(CURL, size)))),
				fmtRatio(ratio(tput(FETCHER, size), tput(CURL_SYNC, size))),
			]);
			const memoryRows = sizes.map((size) => [
				fmtMiB(size),
				...OURS.map((c) => fmtMiB(med(c, size, (s) => s.rssBefore))),
				...CONTENDERS.map((c) => fmtMiB(peak(c, size))),
			]);
			const largest = sizes[sizes.length - 1]!;
			const smallest = sizes[0]!;
			const vsCurlSync = ratio(tput(FETCHER, largest), tput(CURL_SYNC, largest));
			const storeTarget: TargetResult = {
				target: `${FETCHER}: throughput ≥ 0.8x curl writing and syncing the same file at ${fmtMiB(largest)}`,
				met: Number.isFinite(vsCurlSync) ? vsCurlSync >= 0.8 : null,
				detail: Number.isFinite(vsCurlSync)
					? `${fmtNumber(tput(FETCHER, largest))} vs ${fmtNumber(tput(CURL_SYNC, largest))} MiB/s: ${fmtRatio(vsCurlSync)}`
					: 'not measured',
			};
			const targets: TargetResult[] = OURS.flatMap((c): TargetResult[] => {
				const vsCurl = ratio(tput(c, largest), tput(CURL, largest));
				const maxPeak = Math.max(...sizes.map((s) => peak(c, s)));
				const growth = peak(c, largest) - peak(c, smallest);
				return [
					{
						target: `${c}: throughput ≥ 0.9x curl at ${fmtMiB(largest)}`,
						met: Number.isFinite(vsCurl) ? vsCurl >= 0.9 : null,
						detail: Number.isFinite(vsCurl)
							? `${fmtNumber(tput(c, largest))} vs ${fmtNumber(tput(CURL, largest))} MiB/s: ${fmtRatio(vsCurl)}`
							: 'not measured',
					},
					{
						target: `${c}: peak RSS < 100 MB at every size`,
						met: Number.isFinite(maxPeak) ? maxPeak < 100e6 : null,
						detail: Number.isFinite(maxPeak)
							? `largest peak ${fmtMiB(maxPeak)} (${fmtNumber(maxPeak / 1e6, 1)} MB)`
							: 'not measured',
					},
					{
						target: `${c}: peak RSS flat in file size (${fmtMiB(largest)} peak − ${fmtMiB(smallest)} peak < 16 MiB)`,
						met: Number.isFinite(growth) ? growth < 16 * MiB : null,
						detail: Number.isFinite(growth) ? `${fmtMiB(growth)} more at ${fmtMiB(largest)}` : 'not measured',
					},
				];
			});
			targets.splice(1, 0, storeTarget);
			return {
				method:
					'The origin generates the body on the fly (never stored), `Content-Length` set, written with back-pressure. ' +
					'Every download goes through Squid (CONNECT, Basic auth), verifying the origin against the test CA. ' +
					'media-fetcher: `openMediaFetcher()` then `service.get(mxc://…)`, i.e. the signed ' +
					'`/_matrix/federation/v1/media/download` request, the `multipart/mixed` answer (Synapse’s layout) parsed as ' +
					'a stream, sha256, and the file written atomically into its store on this machine’s disk. outbound-http ' +
					'stream: a got stream of purpose `federation` into a sink that counts and drops the bytes. raw: node:https ' +
					'over hpagent into the same sink. ' +
					'curl: `curl -x … --proxy-user … --cacert … -o /dev/null`, timed by its own `%{time_total}`, peak RSS from ' +
					'GNU time; “curl -o FILE + sync”: the same to a file on the store’s disk, then `sync FILE` (its fsync), timed ' +
					'from start to synced, the reference for the media-fetcher, which must have the file on disk. Node clients run in a fresh child process per download (plain node, our modules loaded only for ' +
					'ours), so VmHWM (peak RSS) is that download’s alone; “RSS before” is VmRSS once the client is built. ' +
					`Rounds: ${roundsFor(smallest)} per size (${roundsFor(largest)} at ${fmtMiB(largest)}), order rotated; medians.`,
				tables: [
					{
						title: 'Throughput (MiB/s, median)',
						columns: [
							'size',
							...CONTENDERS,
							...OURS.map((c) => `${c.replace('ours: ', '')} / curl`),
							'media-fetcher / curl + sync',
						],
						rows: throughputRows,
					},
					{
						title: 'Memory: RSS once built, and peak RSS of the downloading process (median)',
						columns: [
							'size',
							...OURS.map((c) => `${c.replace('ours: ', '')} before`),
							...CONTENDERS.map((c) => `${c.replace('ours: ', '')} peak`),
						],
						rows: memoryRows,
					},
				],
				targets,
				notes,
			};
		}),
};
