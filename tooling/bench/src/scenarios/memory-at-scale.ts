/**
 * Scenario 5: memory after talking to 10,000 distinct destinations (distinct host names, all on one
 * loopback origin), with ours through Squid and direct, and a bare keep-alive agent (no caps) for reference:
 * RSS after 1k, 5k and 10k destinations and after the idle sockets had time to expire.
 */
import { forkProbe } from '../lib/child.js';
import { withCleanup } from '../lib/cleanup.js';
import { describeError } from '../lib/load.js';
import type { Scenario, ScenarioReport, TargetResult } from '../lib/scenario.js';
import { PROXY_PASSWORD, PROXY_USER, startBenchSquid } from '../lib/squid.js';
import { fmtMiB, fmtNumber, fmtRatio, ratio } from '../lib/stats.js';
import type {
	Checkpoint,
	DestinationsJob,
	DestinationsResult,
	ProbeFailure,
} from '../probes/probe-protocol.js';
import { startOrigin } from '../servers/origin.js';

const SUFFIX = 'bench.test';
const CLIENTS: readonly { readonly client: DestinationsJob['client']; readonly label: string }[] = [
	{ client: 'ours-proxy', label: 'ours, through Squid' },
	{ client: 'ours-direct', label: 'ours, direct' },
	{ client: 'raw-direct', label: 'node https.Agent keep-alive, direct (no caps)' },
];

/** The memory-at-scale scenario. */
export const memoryAtScale: Scenario = {
	id: 'memory-at-scale',
	title: 'Memory at scale (10,000 destinations)',
	run: (ctx) =>
		withCleanup(async (cleanup): Promise<ScenarioReport> => {
			const count = ctx.quick ? 200 : 10_000;
			const checkpoints = ctx.quick ? [50, 100, 200] : [1000, 5000, 10_000];
			// Our idle sockets expire after 30 s by default.
			const idleWaitMs = ctx.quick ? 0 : 32_000;
			const origin = await startOrigin(cleanup, { https: 1, http: 0 }, [`*.${SUFFIX}`]);
			const hosts = Object.fromEntries(
				Array.from({ length: count }, (_, i) => [`d${i}.${SUFFIX}`, '127.0.0.1']),
			);
			// A client that kept every tunnel open would need two descriptors per destination in Squid: give it as
			// many as the machine allows (the hard limit here is often 20,000).
			const squid = await startBenchSquid(cleanup, { hosts, maxFileDescriptors: 20_000 });
			const notes: string[] = [];
			const rows: string[][] = [];
			const results = new Map<string, DestinationsResult>();
			for (const { client, label } of CLIENTS) {
				ctx.log(`${label}: ${count} destinations`);
				const job: DestinationsJob = {
					type: 'destinations',
					client,
					suffix: SUFFIX,
					port: origin.httpsPorts[0]!,
					count,
					checkpoints,
					concurrency: 16,
					maxMs: ctx.quick ? 20_000 : 45_000,
					idleWaitMs: client === 'raw-direct' ? 0 : idleWaitMs,
					proxy: {
						host: squid.host,
						port: squid.port,
						username: PROXY_USER,
						password: PROXY_PASSWORD,
						caPem: origin.caPem,
						caFile: origin.caFile,
					},
				};
				const child = await forkProbe(new URL('../probes/destinations-probe.ts', import.meta.url), [
					'--expose-gc',
				]);
				let r: DestinationsResult | ProbeFailure;
				try {
					r = await child.ask<DestinationsResult | ProbeFailure>(
						job,
						'result',
						job.maxMs + idleWaitMs + 30_000,
					);
				} catch (error) {
					r = { type: 'result', error: describeError(error) };
				} finally {
					await child.stop();
				}
				if ('error' in r) {
					notes.push(`${label}: ${r.error}`);
					rows.push([label, 'failed', '', '', '', '', '', '']);
					continue;
				}
				results.set(client, r);
				if (r.errors > 0) notes.push(`${label}: ${r.errors} failed requests, first: ${r.firstError ?? ''}`);
				const at = (a: number | 'idle'): Checkpoint | undefined => r.checkpoints.find((c) => c.at === a);
				const cell = (c: Checkpoint | undefined): string =>
					c === undefined
						? 'n/a'
						: `${fmtMiB(c.rss)} (heap ${fmtMiB(c.heapUsed)}, ${fmtNumber(c.openFds)} fds)`;
				rows.push([
					label,
					cell(r.baseline),
					...checkpoints.map((c) => cell(at(c))),
					idleWaitMs > 0 && client !== 'raw-direct' ? cell(at('idle')) : 'not measured',
					`${fmtNumber(r.done)} in ${fmtNumber(r.elapsedMs / 1000, 1)} s`,
				]);
			}
			const targets: TargetResult[] = (['ours-proxy', 'ours-direct'] as const).map((client) => {
				const r = results.get(client);
				const first = r?.checkpoints.find((c) => c.at === checkpoints[0]);
				const last = r?.checkpoints.find((c) => c.at === checkpoints[checkpoints.length - 1]);
				const growth = ratio(last?.rss, first?.rss);
				return {
					target: `${client === 'ours-proxy' ? 'through Squid' : 'direct'}: RSS bounded (at ${fmtNumber(count)} ≤ 1.25x RSS at ${fmtNumber(checkpoints[0]!)})`,
					met: Number.isFinite(growth) ? growth <= 1.25 : null,
					detail: Number.isFinite(growth)
						? `${fmtMiB(first!.rss)} → ${fmtMiB(last!.rss)} (${fmtRatio(growth)}), open fds ${fmtNumber(first!.openFds)} → ${fmtNumber(last!.openFds)}`
						: 'not measured',
				};
			});
			return {
				method:
					`${fmtNumber(count)} GETs of 1 KiB, each to its own host name (\`d<i>.${SUFFIX}\`, all served by one loopback ` +
					'https origin with a wildcard certificate), concurrency 16, in a fresh child process per client (plain ' +
					'node, `--expose-gc`). ours is a `federation` client (verified against `federation_custom_ca_list`, the test ' +
					'CA alone, as the bare agent’s `ca`). Direct: names mapped to 127.0.0.1 by an injected lookup (allowed by ' +
					'`ip_range_whitelist: [127.0.0.1/32]`); through Squid: names in its hosts file. At each checkpoint the load pauses ' +
					'(no new request, those in flight finish); RSS is then VmRSS after full GCs that V8 has finished (three ' +
					'forced GCs 100 ms apart: one forced GC returns before its sweeping is done and before the pages it emptied ' +
					`are released), with the process’s open file descriptors (pooled sockets show there). ours uses its default pool ` +
					`settings; the last column but one is measured after ${idleWaitMs / 1000} s without requests.`,
				tables: [
					{
						title: 'RSS (JS heap in use, open file descriptors) by destinations talked to',
						columns: [
							'client',
							'before',
							...checkpoints.map((c) => `after ${fmtNumber(c)}`),
							'after idle wait',
							'done',
						],
						rows,
					},
				],
				targets,
				notes,
			};
		}),
};
