/**
 * Scenario 6: the federation sender at production scale, through Squid. Latency from `enqueue` (by a producer
 * on its own database connection, as an embedding homeserver does) to the remote's 200 filed, on an idle
 * sender, with SQLite and with PostgreSQL; steady transactions/s of the sender (SQLite outbox, group commit)
 * against raw signed PUTs in the same run; and the delivery rate of a PostgreSQL backlog with 1, 2 and 3
 * `federation-sender run` processes sharing the outbox through leases.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '@homeserver/config';
import { generateSigningKey } from '@homeserver/federation';
import {
	createFederationTransport,
	DeliveryWorker,
	openOutbox,
	openOutboxProducer,
	parsePdu,
	type OutboxStore,
} from '@homeserver/federation-sender';
import { pino } from 'pino';
import { proxyUrl, type ProxyTarget } from '../contenders/contender.js';
import { oursFederation } from '../contenders/ours-federation.js';
import { rawFederation } from '../contenders/raw-federation.js';
import { withCleanup, type Cleanup } from '../lib/cleanup.js';
import { destinations, FEDERATION_SUFFIX, samplePdu, transactionBody } from '../lib/federation-fixture.js';
import { describeError, forEachBounded } from '../lib/load.js';
import { noDns } from '../lib/no-dns.js';
import { postgresMissing, startPostgres } from '@homeserver/testkit';
import type { Scenario, ScenarioReport, TargetResult } from '../lib/scenario.js';
import { PROXY_PASSWORD, PROXY_USER, startBenchSquid } from '../lib/squid.js';
import { fmtNumber, fmtRatio, median, ratio } from '../lib/stats.js';
import { tempDir } from '../lib/temp-dir.js';
import { startOrigin } from '../servers/origin.js';

const ORIGIN_SERVER = 'sender.bench.test';
const BIN = fileURLToPath(
	new URL('../../../../apps/federation-sender/bin/federation-sender.js', import.meta.url),
);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: readonly number[], p: number): number {
	const v = [...values].sort((a, b) => a - b);
	if (v.length === 0) return Number.NaN;
	return v[Math.min(v.length - 1, Math.floor((p / 100) * v.length))]!;
}

/** The YAML of a sender configuration: key, CA, proxy and the outbox database. */
function senderYaml(keyFile: string, caFile: string, proxy: ProxyTarget, database: string): string {
	return [
		`server_name: ${ORIGIN_SERVER}`,
		`signing_key_path: ${JSON.stringify(keyFile)}`,
		`federation_custom_ca_list: [${JSON.stringify(caFile)}]`,
		`https_proxy: ${JSON.stringify(proxyUrl(proxy))}`,
		'federation_sender:',
		`  database: ${database}`,
		'  poll_interval: 60s',
		'',
	].join('\n');
}

/** Enqueue → 200 latencies (ms) on an idle in-process worker, the producer on its own connection. */
async function latencies(cleanup: Cleanup, config: Config, dest: string, samples: number): Promise<number[]> {
	const logger = pino({ level: 'silent' });
	const store = await openOutbox(config.federationSender.database);
	cleanup.defer(store, (s) => s.close());
	const transport = await createFederationTransport(config, logger, { dns: noDns });
	cleanup.defer(transport, (t) => t.close());
	const worker = new DeliveryWorker({
		store,
		origin: ORIGIN_SERVER,
		send: transport.send,
		logger,
		pollIntervalMs: 60_000,
		leases: store.leases === null ? null : { table: store.leases, instance: 'bench', ttlMs: 10_000 },
	});
	cleanup.defer(worker, (w) => w.stop());
	await worker.start();
	const producer = await openOutboxProducer(config);
	cleanup.defer(producer, (p) => p.close());
	const out: number[] = [];
	for (let i = 0; i < samples + 3; i++) {
		const delivered = new Promise<number>((resolve) =>
			worker.once('delivered', () => resolve(performance.now())),
		);
		const t0 = performance.now();
		await producer.enqueue(dest, { pdus: [samplePdu(ORIGIN_SERVER, i)] });
		const t1 = await delivered;
		if (i >= 3) out.push(t1 - t0); // the first sends open the tunnel and the TLS session
		await sleep(20); // idle between samples
	}
	return out;
}

async function pendingItems(store: OutboxStore): Promise<number> {
	return (await store.status()).reduce((sum, row) => sum + row.pendingPdus, 0);
}

/** Starts `count` `run` processes on the configuration at once; resolves once each logged that it runs. */
function startInstances(cleanup: Cleanup, configPath: string, count: number): Promise<ChildProcess[]> {
	return Promise.all(
		Array.from({ length: count }, async (_, i) => {
			const child = spawn(
				process.execPath,
				[BIN, 'run', '--config', configPath, '--instance', `bench-${i}`],
				{
					stdio: ['ignore', 'ignore', 'pipe'], // the logger writes to stderr
				},
			);
			cleanup.defer(child, (c) => c.exitCode === null && c.kill('SIGKILL'));
			await new Promise<void>((resolve, reject) => {
				createInterface({ input: child.stderr }).on('line', (line) => {
					if (line.includes('federation-sender running')) resolve();
				});
				child.on('exit', (code) => reject(new Error(`instance exited (${code}) before running`)));
			});
			return child;
		}),
	);
}

/** The federation sender at scale. */
export const federationSenderScale: Scenario = {
	id: 'federation-sender-scale',
	title: 'Federation sender at scale: latency, group commit, several instances',
	run: (ctx) =>
		withCleanup(async (cleanup): Promise<ScenarioReport> => {
			const samples = ctx.quick ? 10 : 100;
			const steadyDests = ctx.quick ? 50 : 200;
			const rounds = ctx.quick ? 2 : 4;
			const backlogDests = ctx.quick ? 30 : 200;
			const backlogPerDest = ctx.quick ? 100 : 100;
			const notes: string[] = [];
			const origin = await startOrigin(cleanup, { https: 4, http: 0 }, [`*.${FEDERATION_SUFFIX}`]);
			const names = destinations(Math.max(steadyDests, backlogDests), 0).map((d) => d.split(':')[0]!);
			const squid = await startBenchSquid(cleanup, {
				hosts: Object.fromEntries(names.map((n) => [n, '127.0.0.1'])),
				maxFileDescriptors: 16_384,
			});
			const proxy = { host: squid.host, port: squid.port, username: PROXY_USER, password: PROXY_PASSWORD };
			const key = generateSigningKey('a_bench');
			const dir = await tempDir(cleanup);
			const keyFile = join(dir, 'signing.key');
			await writeFile(keyFile, key.toKeyFileText(), { mode: 0o600 });

			// 1. Latency, SQLite.
			ctx.log('latency, SQLite');
			const sqliteConfig = loadConfig({
				env: {},
				yamlText: senderYaml(
					keyFile,
					origin.caFile,
					proxy,
					`{name: sqlite3, args: {database: ${JSON.stringify(join(dir, 'latency.db'))}}}`,
				),
			});
			const sqliteLat = await latencies(
				cleanup,
				sqliteConfig,
				destinations(1, origin.httpsPorts[0]!)[0]!,
				samples,
			);

			// 2. Latency and instances, PostgreSQL.
			const missing = postgresMissing();
			let pgLat: number[] = [];
			const rates: { instances: number; pdusPerS: number; txnsPerS: number }[] = [];
			if (missing !== null) notes.push(`PostgreSQL figures not measured: ${missing}`);
			else {
				const pgServer = await startPostgres({ port: 55_433, fsync: true });
				cleanup.defer(pgServer, (s) => s.stop());
				const pgDb = async (): Promise<string> =>
					`{name: psycopg2, args: {host: ${JSON.stringify(pgServer.host)}, port: ${pgServer.port}, user: ${pgServer.user}, database: ${await pgServer.createDatabase()}}}`;
				ctx.log('latency, PostgreSQL');
				const pgConfig = loadConfig({
					env: {},
					yamlText: senderYaml(keyFile, origin.caFile, proxy, await pgDb()),
				});
				pgLat = await latencies(cleanup, pgConfig, destinations(2, origin.httpsPorts[1]!)[1]!, samples);
				for (const count of [1, 2, 3]) {
					ctx.log(`PostgreSQL backlog, ${count} instance(s)`);
					const configPath = join(dir, `instances-${count}.yaml`);
					await writeFile(configPath, senderYaml(keyFile, origin.caFile, proxy, await pgDb()));
					const config = loadConfig({ env: {}, configPath });
					const store = await openOutbox(config.federationSender.database);
					cleanup.defer(store, (s) => s.close());
					const dests = destinations(backlogDests, origin.httpsPorts[2]!);
					let seq = 0;
					for (const d of dests) {
						for (let b = 0; b < backlogPerDest; b += 50) {
							const items = Array.from({ length: 50 }, () => parsePdu(samplePdu(ORIGIN_SERVER, seq++)));
							await store.enqueue(d, items, Date.now());
						}
					}
					const before = (await origin.stats()).transactions;
					const t0 = performance.now();
					const children = await startInstances(cleanup, configPath, count);
					const total = seq;
					// Polled at the origin (a counter), not with status(): reading the outbox every 50 ms would load
					// the database the instances are measured on.
					const expected = backlogDests * Math.ceil(backlogPerDest / 50);
					for (let i = 0; i < 3000 && (await origin.stats()).transactions - before < expected; i++) {
						await sleep(20);
					}
					// The last 200s are being filed: a few reads of the outbox until it is empty.
					for (let i = 0; i < 500 && (await pendingItems(store)) > 0; i++) await sleep(20);
					const seconds = (performance.now() - t0) / 1000;
					const txns = (await origin.stats()).transactions - before;
					rates.push({ instances: count, pdusPerS: total / seconds, txnsPerS: txns / seconds });
					for (const child of children) child.kill('SIGTERM');
					await Promise.all(
						children.map((c) => new Promise((r) => (c.exitCode === null ? c.on('exit', r) : r(null)))),
					);
				}
				notes.push(
					'The instances are started together; their start-up (a few hundred ms, in parallel) is inside the backlog timing.',
				);
			}

			// 3. Steady transactions/s: ours (SQLite, group commit) against raw signed PUTs.
			ctx.log('steady stream, ours vs raw');
			const raw = rawFederation(proxy, origin.caPem, ORIGIN_SERVER, key);
			cleanup.defer(raw, (r) => r.close());
			const ours = await oursFederation(await tempDir(cleanup), proxy, origin.caFile, ORIGIN_SERVER, key);
			cleanup.defer(ours, (o) => o.close());
			const rawDests = destinations(steadyDests, origin.httpsPorts[3]!);
			const oursDests = destinations(steadyDests, origin.httpsPorts[0]!);
			const rawRates: number[] = [];
			const oursRates: number[] = [];
			let stats0 = ours.commitStats();
			let delivered0 = ours.delivered;
			for (let r = 0; r <= rounds; r++) {
				const pdu = samplePdu(ORIGIN_SERVER, 10_000 + r);
				const rr = await forEachBounded(rawDests, 32, 60_000, (d, i) =>
					raw.send(d, `raw-${r}-${i}`, transactionBody(ORIGIN_SERVER, [pdu])),
				);
				if (rr.errors > 0) notes.push(`raw round ${r}: ${describeError(rr.firstError)}`);
				const oursMs = await ours.round(oursDests, pdu, 60_000, { concurrentEnqueue: true });
				if (r === 0) {
					stats0 = ours.commitStats();
					delivered0 = ours.delivered;
					continue; // first contact: tunnels and TLS
				}
				rawRates.push((steadyDests * 1000) / rr.elapsedMs);
				oursRates.push((steadyDests * 1000) / oursMs);
			}
			const stats1 = ours.commitStats();
			const txns = ours.delivered - delivered0;
			notes.push(
				`Group commit, steady rounds: ${fmtNumber(stats1.commits - stats0.commits)} SQLite commits carried ` +
					`${fmtNumber(stats1.steps - stats0.steps)} write steps for ${fmtNumber(txns)} transactions ` +
					`(${fmtNumber((stats1.commits - stats0.commits) / txns, 2)} commits per transaction, enqueue included; ` +
					'without grouping it would be 4: enqueue, build, attempt, completion).',
			);
			const steadyRatio = ratio(median(oursRates), median(rawRates));
			const p50s = median(sqliteLat);
			const p50p = median(pgLat);
			const targets: TargetResult[] = [
				{
					target: 'p50 enqueue → 200 under 50 ms (SQLite)',
					met: Number.isFinite(p50s) ? p50s < 50 : null,
					detail: `${fmtNumber(p50s, 1)} ms`,
				},
				{
					target: 'p50 enqueue → 200 under 50 ms (PostgreSQL)',
					met: Number.isFinite(p50p) ? p50p < 50 : null,
					detail: Number.isFinite(p50p) ? `${fmtNumber(p50p, 1)} ms` : 'not measured',
				},
				{
					target: 'steady throughput at least 0.6x raw signed PUTs',
					met: Number.isFinite(steadyRatio) ? steadyRatio >= 0.6 : null,
					detail: Number.isFinite(steadyRatio)
						? `${fmtRatio(steadyRatio)}${steadyRatio < 0.6 ? ` (missed by ${fmtNumber((0.6 - steadyRatio) * 100, 0)} points)` : ''}`
						: 'not measured',
				},
			];
			return {
				method:
					`Everything through Squid (Basic auth, CONNECT) to loopback https origins; destinations \`f<i>.${FEDERATION_SUFFIX}:<port>\`. ` +
					`Latency: an idle sender (in process, fallback poll 60 s, so only the wake-up signal can start a send) and a producer on its own ` +
					`database connection (the producer API); ${samples} single-PDU enqueues 20 ms apart, each timed from the call to the 200 filed ` +
					`(the worker's \`delivered\` event), after 3 warm-up sends. SQLite wakes by \`PRAGMA data_version\` read every 3 ms; PostgreSQL by ` +
					`LISTEN/NOTIFY. PostgreSQL runs with fsync on (its default). Steady: ${rounds} rounds of one transaction (one 1 KiB PDU) to each of ` +
					`${steadyDests} destinations (enqueued concurrently, as a homeserver fans an event out), after a first-contact round; ours is the SQLite outbox with group commit (synchronous=FULL), raw is ` +
					`node:https over hpagent, 32 at a time, no outbox. Instances: a backlog of ${backlogPerDest} PDUs for each of ${backlogDests} ` +
					'destinations in a fresh PostgreSQL outbox, then 1, 2 or 3 `federation-sender run --instance` processes started on it; the rate is ' +
					'from their start to an empty queue.',
				tables: [
					{
						title: 'Latency, enqueue → 200 (ms)',
						columns: ['outbox', 'p50', 'p99', 'samples'],
						rows: [
							[
								'SQLite',
								fmtNumber(p50s, 1),
								fmtNumber(percentile(sqliteLat, 99), 1),
								fmtNumber(sqliteLat.length),
							],
							[
								'PostgreSQL',
								fmtNumber(p50p, 1),
								fmtNumber(percentile(pgLat, 99), 1),
								fmtNumber(pgLat.length),
							],
						],
					},
					{
						title: 'Steady stream',
						columns: ['client', 'transactions/s (median)', 'vs raw'],
						rows: [
							['raw node + hpagent', fmtNumber(median(rawRates)), '1.00x'],
							[
								'ours (federation-sender, SQLite, group commit)',
								fmtNumber(median(oursRates)),
								fmtRatio(steadyRatio),
							],
						],
					},
					{
						title: 'PostgreSQL backlog, several instances',
						columns: ['instances', 'PDUs/s', 'transactions/s', 'vs 1 instance'],
						rows: rates.map((r) => [
							String(r.instances),
							fmtNumber(r.pdusPerS),
							fmtNumber(r.txnsPerS),
							fmtRatio(ratio(r.pdusPerS, rates[0]?.pdusPerS)),
						]),
					},
				],
				targets,
				notes,
			};
		}),
};
