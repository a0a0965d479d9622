/**
 * Scenario 4: one PDU to 1,000 destinations through Squid (first contact: a CONNECT and a TLS handshake
 * each), then a steady stream (rounds of one transaction to every destination on the pooled tunnels):
 * time to deliver, transactions per second, and the CONNECTs Squid saw. Ours is the federation-sender app
 * (outbox, worker, transport); the limit is the same signed PUTs sent with node:https over hpagent.
 */
import { generateSigningKey } from '@homeserver/federation';
import { oursFederation } from '../contenders/ours-federation.js';
import { rawFederation } from '../contenders/raw-federation.js';
import { withCleanup } from '../lib/cleanup.js';
import { destinations, FEDERATION_SUFFIX, samplePdu, transactionBody } from '../lib/federation-fixture.js';
import { budget, describeError, forEachBounded } from '../lib/load.js';
import type { Scenario, ScenarioReport, TargetResult } from '../lib/scenario.js';
import { logPort, PROXY_PASSWORD, PROXY_USER, startBenchSquid } from '../lib/squid.js';
import { fmtNumber, fmtRatio, median, ratio } from '../lib/stats.js';
import { tempDir } from '../lib/temp-dir.js';
import { startOrigin } from '../servers/origin.js';

const ORIGIN_SERVER = 'sender.bench.test';
const CONCURRENCY = 32;
const OURS = 'ours (federation-sender)';
const RAW = 'raw node + hpagent';

/** A client of the scenario: one round delivers one PDU to every destination. */
interface FanoutClient {
	readonly name: string;
	/** Index of the origin port it talks to (Squid's log tells the clients apart by port). */
	readonly portIndex: number;
	round(pdu: Record<string, unknown>, label: string): Promise<number>;
	close(): Promise<void>;
}

/** The federation fan-out scenario. */
export const federationFanout: Scenario = {
	id: 'federation-fanout',
	title: 'Federation fan-out through Squid',
	run: (ctx) =>
		withCleanup(async (cleanup): Promise<ScenarioReport> => {
			const count = ctx.quick ? 50 : 1000;
			const rounds = ctx.quick ? 2 : 4;
			const maxMs = ctx.quick ? 20_000 : 40_000;
			// Steady rounds after the first are skipped (and said so) once this is spent.
			const time = budget(ctx.quick ? 40_000 : 100_000);
			const origin = await startOrigin(cleanup, { https: 2, http: 0 }, [`*.${FEDERATION_SUFFIX}`]);
			const names = destinations(count, 0).map((d) => d.split(':')[0]!);
			const squid = await startBenchSquid(cleanup, {
				hosts: Object.fromEntries(names.map((n) => [n, '127.0.0.1'])),
				maxFileDescriptors: 16_384,
			});
			const key = generateSigningKey('a_bench');
			const proxy = { host: squid.host, port: squid.port, username: PROXY_USER, password: PROXY_PASSWORD };
			const notes: string[] = [];
			const clients: FanoutClient[] = [];

			const rawDests = destinations(count, origin.httpsPorts[0]!);
			const raw = rawFederation(proxy, origin.caPem, ORIGIN_SERVER, key);
			clients.push({
				name: RAW,
				portIndex: 0,
				async round(pdu, label) {
					const r = await forEachBounded(rawDests, CONCURRENCY, maxMs, (d, i) =>
						raw.send(d, `raw-${label}-${i}`, transactionBody(ORIGIN_SERVER, [pdu])),
					);
					if (r.errors > 0 || r.ok < rawDests.length) {
						throw new Error(
							`${r.ok}/${rawDests.length} delivered; first error: ${describeError(r.firstError)}`,
						);
					}
					return r.elapsedMs;
				},
				close: () => Promise.resolve(raw.close()),
			});
			cleanup.defer(raw, (r) => r.close());
			try {
				const oursDests = destinations(count, origin.httpsPorts[1]!);
				const ours = await oursFederation(await tempDir(cleanup), proxy, origin.caFile, ORIGIN_SERVER, key);
				cleanup.defer(ours, (o) => o.close());
				clients.push({
					name: OURS,
					portIndex: 1,
					round: (pdu) => ours.round(oursDests, pdu, maxMs),
					close: () => ours.close(),
				});
			} catch (error) {
				notes.push(`${OURS}: could not be assembled: ${describeError(error)}`);
			}

			const fanoutMs = new Map<string, number>();
			const steady = new Map<string, number[]>();
			const failed = new Set<string>();
			let seq = 0;
			const attempt = async (c: FanoutClient, label: string): Promise<number | undefined> => {
				if (failed.has(c.name)) return undefined;
				try {
					return await c.round(samplePdu(ORIGIN_SERVER, seq++), label);
				} catch (error) {
					failed.add(c.name);
					notes.push(`${c.name}, ${label}: ${describeError(error)}`);
					return undefined;
				}
			};
			for (const c of clients) {
				ctx.log(`${c.name}: fan-out to ${count}`);
				const ms = await attempt(c, 'fanout');
				if (ms !== undefined) fanoutMs.set(c.name, ms);
			}
			for (let r = 0; r < rounds; r++) {
				if (r > 0 && time.spent()) {
					notes.push(`only ${r} steady round(s): the scenario's time budget was spent`);
					break;
				}
				for (let k = 0; k < clients.length; k++) {
					const c = clients[(k + r) % clients.length]!;
					const ms = await attempt(c, `steady${r}`);
					if (ms !== undefined) steady.set(c.name, [...(steady.get(c.name) ?? []), (count * 1000) / ms]);
				}
			}
			// Squid logs a CONNECT when its tunnel closes: close the clients first.
			for (const c of clients) await c.close();
			const entries = await squid.accessLog();
			const connects = new Map(
				clients.map((c) => [
					c.name,
					entries.filter((e) => e.method === 'CONNECT' && logPort(e) === origin.httpsPorts[c.portIndex])
						.length,
				]),
			);
			const stats = await origin.stats();
			const rate = (name: string): number => median(steady.get(name) ?? []);
			const rows = clients.map((c) => {
				const ms = fanoutMs.get(c.name);
				return [
					c.name,
					ms === undefined ? 'n/a' : `${fmtNumber(ms / 1000, 2)} s`,
					ms === undefined ? 'n/a' : fmtNumber((count * 1000) / ms),
					fmtNumber(rate(c.name)),
					fmtRatio(ratio(rate(c.name), rate(RAW))),
					fmtNumber(connects.get(c.name) ?? Number.NaN),
				];
			});
			const oursConnects = connects.get(OURS);
			const oursMeasured = fanoutMs.has(OURS) && !failed.has(OURS);
			const targets: TargetResult[] = [
				{
					target: 'ours: one CONNECT per destination, reused afterwards',
					met: oursMeasured && oursConnects !== undefined ? oursConnects <= count : null,
					detail: oursMeasured
						? `${fmtNumber(oursConnects ?? Number.NaN)} CONNECTs for ${fmtNumber(count)} destinations and ${fmtNumber(count * (1 + (steady.get(OURS)?.length ?? 0)))} transactions`
						: 'ours not measured',
				},
			];
			return {
				method:
					`${fmtNumber(count)} destinations, each its own server name (\`f<i>.${FEDERATION_SUFFIX}:<port>\`, resolved ` +
					'by Squid’s hosts file to one loopback https origin with a wildcard certificate), all through Squid ' +
					'(Basic auth, CONNECT). Fan-out: one PDU (about 1 KiB) to every destination, from cold (a CONNECT and a ' +
					`TLS handshake each). Steady stream: ${rounds} more rounds of one transaction to every destination on the ` +
					'pooled tunnels, clients alternating; transactions/s is the median round. Every request is a signed ' +
					'`PUT /_matrix/federation/v1/send/{txnId}` (canonical JSON, ed25519, X-Matrix); the origin answers ' +
					`\`{"pdus":{}}\`. ours: the federation-sender's SQLite outbox, delivery worker (its default ` +
					'concurrency) and transport, in process, timed from the first enqueue to the last 200 filed; raw: ' +
					`node:https over an hpagent keep-alive agent, ${CONCURRENCY} destinations at a time, no outbox. CONNECTs ` +
					'are counted in Squid’s access log after the clients closed.',
				tables: [
					{
						title: 'Fan-out and steady stream',
						columns: [
							'client',
							`fan-out to ${fmtNumber(count)}`,
							'fan-out transactions/s',
							'steady transactions/s (median)',
							'steady vs raw',
							'CONNECTs opened',
						],
						rows,
					},
				],
				targets,
				notes: [...notes, `The origin answered ${fmtNumber(stats.transactions)} transactions in all.`],
			};
		}),
};
