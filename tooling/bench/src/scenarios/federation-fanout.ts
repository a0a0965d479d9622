/**
 * Scenario 4: one PDU to 1,000 destinations through Squid (first contact: a CONNECT and a TLS handshake
 * each), then a steady stream (rounds of one transaction to every destination on the pooled tunnels):
 * time to deliver, transactions per second, and the CONNECTs Squid saw. The raw baseline sends the same
 * signed PUTs with node:https over hpagent; ours (the federation-sender app) joins when it exists.
 */
import { generateSigningKey } from '@homeserver/federation';
import { rawFederation } from '../contenders/raw-federation.js';
import { withCleanup } from '../lib/cleanup.js';
import { destinations, FEDERATION_SUFFIX, samplePdu, transactionBody } from '../lib/federation-fixture.js';
import { describeError, forEachBounded } from '../lib/load.js';
import type { Scenario, ScenarioReport, TargetResult } from '../lib/scenario.js';
import { logPort, PROXY_PASSWORD, PROXY_USER, startBenchSquid } from '../lib/squid.js';
import { fmtNumber, median } from '../lib/stats.js';
import { startOrigin } from '../servers/origin.js';

const ORIGIN_SERVER = 'sender.bench.test';
const CONCURRENCY = 32;

/** What one client achieved. */
interface FanoutFigures {
	readonly fanoutMs: number;
	readonly steadyRates: readonly number[];
	readonly delivered: number;
}

/** The federation fan-out scenario. */
export const federationFanout: Scenario = {
	id: 'federation-fanout',
	title: 'Federation fan-out through Squid',
	run: (ctx) =>
		withCleanup(async (cleanup): Promise<ScenarioReport> => {
			const count = ctx.quick ? 50 : 1000;
			const rounds = ctx.quick ? 2 : 5;
			const maxMs = ctx.quick ? 20_000 : 60_000;
			// One https port per client, so Squid's log tells their CONNECTs apart.
			const origin = await startOrigin(cleanup, { https: 2, http: 0 }, [`*.${FEDERATION_SUFFIX}`]);
			const names = destinations(count, 0).map((d) => d.split(':')[0]!);
			const squid = await startBenchSquid(cleanup, {
				hosts: Object.fromEntries(names.map((n) => [n, '127.0.0.1'])),
				maxFileDescriptors: 16_384,
			});
			const key = generateSigningKey('a_bench');
			const proxy = { host: squid.host, port: squid.port, username: PROXY_USER, password: PROXY_PASSWORD };
			const notes: string[] = [];
			const figures = new Map<string, FanoutFigures>();

			// Raw: the same signed PUTs, no outbox.
			{
				const port = origin.httpsPorts[0]!;
				const dests = destinations(count, port);
				const raw = rawFederation(proxy, origin.caPem, ORIGIN_SERVER, key);
				cleanup.defer(raw, (r) => r.close());
				let seq = 0;
				const round = async (label: string): Promise<number> => {
					const pdu = samplePdu(ORIGIN_SERVER, seq++);
					const r = await forEachBounded(dests, CONCURRENCY, maxMs, (d, i) =>
						raw.send(d, `raw-${label}-${i}`, transactionBody(ORIGIN_SERVER, [pdu])),
					);
					if (r.errors > 0 || r.ok < dests.length) {
						throw new Error(`${r.ok}/${dests.length} delivered; first error: ${describeError(r.firstError)}`);
					}
					return r.elapsedMs;
				};
				try {
					ctx.log(`raw: fan-out to ${count}`);
					const fanoutMs = await round('fanout');
					const steadyRates: number[] = [];
					for (let r = 0; r < rounds; r++) steadyRates.push((count * 1000) / (await round(`steady${r}`)));
					figures.set('raw node + hpagent', { fanoutMs, steadyRates, delivered: count * (rounds + 1) });
				} catch (error) {
					notes.push(`raw node + hpagent: ${describeError(error)}`);
				}
				raw.close();
			}
			notes.push('ours: the federation-sender app has no sending transport to drive yet; not measured.');

			const entries = await squid.accessLog();
			const connectsTo = (port: number | undefined): number =>
				entries.filter((e) => e.method === 'CONNECT' && logPort(e) === port).length;
			const stats = await origin.stats();
			const rows = [...figures].map(([name, f]) => [
				name,
				`${fmtNumber(f.fanoutMs / 1000, 2)} s`,
				fmtNumber((count * 1000) / f.fanoutMs),
				fmtNumber(median(f.steadyRates)),
				fmtNumber(connectsTo(origin.httpsPorts[name === 'raw node + hpagent' ? 0 : 1])),
				fmtNumber(f.delivered),
			]);
			const targets: TargetResult[] = [
				{
					target: 'ours: one CONNECT per destination, reused afterwards',
					met: null,
					detail: 'ours not measured',
				},
			];
			return {
				method:
					`${fmtNumber(count)} destinations, each its own server name (\`f<i>.${FEDERATION_SUFFIX}:<port>\`, resolved ` +
					'by Squid’s hosts file to one loopback https origin with a wildcard certificate), all through Squid ' +
					`(Basic auth, CONNECT). Fan-out: one PDU (about 1 KiB) to every destination, ${CONCURRENCY} destinations ` +
					`at a time, from cold (a CONNECT and a TLS handshake each). Steady stream: ${rounds} more rounds of one ` +
					'transaction to every destination on the pooled tunnels; transactions/s is the median round. Every ' +
					'request is a signed `PUT /_matrix/federation/v1/send/{txnId}` (canonical JSON, ed25519, X-Matrix); the ' +
					'origin answers `{"pdus":{}}`. CONNECTs are counted in Squid’s access log after the clients closed.',
				tables: [
					{
						title: 'Fan-out and steady stream',
						columns: [
							'client',
							`fan-out to ${fmtNumber(count)}`,
							'fan-out transactions/s',
							'steady transactions/s (median)',
							'CONNECTs opened',
							'transactions delivered',
						],
						rows,
					},
				],
				targets,
				notes: [...notes, `The origin answered ${fmtNumber(stats.transactions)} transactions in all.`],
			};
		}),
};
