/**
 * Scenario 1: small requests through a real Squid (Basic auth). HTTPS GET of a 1 KiB body over CONNECT
 * tunnels with keep-alive at concurrency 1 and 16, and plain http in absolute-form, ours against undici's
 * ProxyAgent, proxy-agent, got with bare hpagent, and raw node:http(s) over keep-alive agents.
 */
import { closedLoop, describeError } from '../lib/load.js';
import { interleavedRounds } from '../lib/rounds.js';
import { withCleanup } from '../lib/cleanup.js';
import { fmtNumber, fmtRatio, fmtRate, median, ratio, spread } from '../lib/stats.js';
import type { Scenario, ScenarioReport, Table, TargetResult } from '../lib/scenario.js';
import type { ContenderSetup, HttpContender } from '../contenders/contender.js';
import { undiciContender } from '../contenders/undici-proxy-agent.js';
import { proxyAgentContender, proxyAgentHttpKeepAlive } from '../contenders/proxy-agent.js';
import { gotHpagentContender } from '../contenders/got-hpagent.js';
import { rawNodeContender } from '../contenders/raw-node.js';
import { oursContender, oursStreamContender } from '../contenders/ours.js';
import { logPort, PROXY_PASSWORD, PROXY_USER, startBenchSquid } from '../lib/squid.js';
import type { SquidLogEntry } from '../lib/squid.js';
import { startOrigin } from '../servers/origin.js';
import type { Origin } from '../servers/origin.js';
import { SMALL_BODY_BYTES } from '../servers/origin-protocol.js';

const OURS = 'ours';
const OURS_STREAM = 'ours, stream API';
const UNDICI = 'undici ProxyAgent';
const RAW = 'raw node + hpagent';
const GOT = 'got + bare hpagent';
const PROXY_AGENT = 'proxy-agent';
/** Every client, in table order; client i talks to the origin's i-th port, so Squid's log tells them apart. */
const CLIENTS = [OURS, OURS_STREAM, UNDICI, PROXY_AGENT, GOT, RAW] as const;

interface Mode {
	readonly scheme: 'https' | 'http';
	readonly concurrency: number;
}
const MODES: readonly Mode[] = [
	{ scheme: 'https', concurrency: 1 },
	{ scheme: 'https', concurrency: 16 },
	{ scheme: 'http', concurrency: 1 },
	{ scheme: 'http', concurrency: 16 },
];
const modeName = (m: Mode): string => `${m.scheme} c${m.concurrency}`;

function build(
	name: string,
	setup: ContenderSetup,
	scheme: 'https' | 'http',
	httpKeepAlive: boolean,
): HttpContender {
	switch (name) {
		case OURS:
			// Federation verifies against federation_custom_ca_list; push sends plain http through http_proxy.
			return oursContender(setup, scheme === 'https' ? 'federation' : 'push');
		case OURS_STREAM:
			return oursStreamContender(setup, scheme === 'https' ? 'federation' : 'push');
		case UNDICI:
			return undiciContender(setup, scheme === 'https');
		case PROXY_AGENT:
			return proxyAgentContender(setup, scheme === 'https' || httpKeepAlive);
		case GOT:
			return gotHpagentContender(setup);
		default:
			return rawNodeContender(setup);
	}
}

/** Counts what Squid logged per client (by origin port): CONNECT tunnels and absolute-form requests. */
function wireRows(
	entries: readonly SquidLogEntry[],
	origin: Origin,
	sent: ReadonlyMap<string, number>,
): string[][] {
	return CLIENTS.map((name, i) => {
		const httpsPort = origin.httpsPorts[i];
		const httpPort = origin.httpPorts[i];
		const connects = (port: number | undefined): number =>
			entries.filter((e) => e.method === 'CONNECT' && logPort(e) === port).length;
		const forwarded = entries.filter(
			(e) => e.method === 'GET' && e.url.startsWith('http://') && logPort(e) === httpPort,
		);
		return [
			name,
			fmtNumber(sent.get(`${name} https`) ?? 0),
			fmtNumber(connects(httpsPort)),
			fmtNumber(sent.get(`${name} http`) ?? 0),
			fmtNumber(forwarded.length),
			fmtNumber(connects(httpPort)),
		];
	});
}

/** Issue 16's targets at HTTPS concurrency 16: ≥ 0.6x raw, ≥ 1.2x got with a bare hpagent, ahead of proxy-agent. */
function issue16Targets(m: (name: string) => number): TargetResult[] {
	const check = (ours: string, other: string, factor: number): TargetResult => {
		const r = ratio(m(ours), m(other));
		return {
			target: `https c16: ${ours} ≥ ${factor === 1 ? '' : `${factor}x `}${other}`,
			met: Number.isFinite(r) ? r >= factor : null,
			detail: Number.isFinite(r)
				? `${fmtRate(m(ours))} vs ${fmtRate(m(other))}: ${fmtRatio(r)}`
				: 'not measured',
		};
	};
	return [OURS, OURS_STREAM].flatMap((ours) => [
		check(ours, RAW, 0.6),
		check(ours, GOT, 1.2),
		check(ours, PROXY_AGENT, 1),
	]);
}

/** The proxy-requests scenario. */
export const proxyRequests: Scenario = {
	id: 'proxy-requests',
	title: 'Requests through a real proxy (Squid)',
	run: (ctx) =>
		withCleanup(async (cleanup): Promise<ScenarioReport> => {
			const rounds = ctx.quick ? 2 : 5;
			const limits = (c: number) => ({
				concurrency: c,
				maxOps: ctx.quick ? 50 : c === 1 ? 4000 : 8000,
				maxMs: ctx.quick ? 300 : 1000,
			});
			const notes: string[] = [];
			// One extra http port for the proxy-agent keep-alive check, so it stays out of the per-client counts.
			const origin = await startOrigin(cleanup, { https: CLIENTS.length, http: CLIENTS.length + 1 });
			const squid = await startBenchSquid(cleanup, { hosts: { [origin.hostName]: '127.0.0.1' } });
			const urlOf = (name: string, scheme: 'https' | 'http'): string => {
				const i = CLIENTS.indexOf(name as (typeof CLIENTS)[number]);
				const port = scheme === 'https' ? origin.httpsPorts[i] : origin.httpPorts[i];
				return `${scheme}://${origin.hostName}:${port}/1k`;
			};
			const setupFor = (): ContenderSetup => ({
				proxy: { host: squid.host, port: squid.port, username: PROXY_USER, password: PROXY_PASSWORD },
				caPem: origin.caPem,
				caFile: origin.caFile,
				expectedBytes: SMALL_BODY_BYTES,
			});
			const keepAliveNote = await proxyAgentHttpKeepAlive(
				setupFor(),
				`http://${origin.hostName}:${origin.httpPorts[CLIENTS.length]}/1k`,
			);
			if (keepAliveNote !== undefined) notes.push(keepAliveNote);
			const sent = new Map<string, number>();
			const tables: Table[] = [];
			const targets: TargetResult[] = [];
			const built = new Map<string, HttpContender>();
			for (const mode of MODES) {
				const names: string[] = [];
				for (const name of CLIENTS) {
					const key = `${name} ${mode.scheme}`;
					if (!built.has(key)) {
						let c: HttpContender;
						try {
							c = build(name, setupFor(), mode.scheme, keepAliveNote === undefined);
						} catch (error) {
							notes.push(`${name} (${mode.scheme}): failed to build: ${describeError(error)}`);
							continue;
						}
						cleanup.defer(c, (x) => x.close());
						built.set(key, {
							get: (url) => {
								sent.set(key, (sent.get(key) ?? 0) + 1);
								return c.get(url);
							},
							close: () => c.close(),
						});
					}
					names.push(name);
				}
				ctx.log(`${modeName(mode)}: ${names.join(', ')}`);
				const failures = new Map<string, string>();
				// Warm-up: open the connections and tunnels, let the JIT settle.
				for (const name of names) {
					const c = built.get(`${name} ${mode.scheme}`)!;
					const url = urlOf(name, mode.scheme);
					const r = await closedLoop(() => c.get(url), {
						concurrency: mode.concurrency,
						maxOps: ctx.quick ? 20 : 300,
						maxMs: 3000,
					});
					if (r.errors > 0) failures.set(name, describeError(r.firstError));
				}
				const values = await interleavedRounds(
					names.filter((n) => !failures.has(n)),
					rounds,
					async (name) => {
						const c = built.get(`${name} ${mode.scheme}`)!;
						const url = urlOf(name, mode.scheme);
						const r = await closedLoop(() => c.get(url), limits(mode.concurrency));
						if (r.errors > 0) throw r.firstError;
						return r.rate;
					},
					(name, e) => failures.set(name, describeError(e)),
				);
				const m = (n: string): number => median(values.get(n) ?? []);
				tables.push({
					title: `${mode.scheme === 'https' ? 'HTTPS GET 1 KiB (CONNECT, keep-alive)' : 'Plain http GET 1 KiB'}, concurrency ${mode.concurrency}: requests/s`,
					columns: ['client', 'requests/s (median)', 'spread', 'vs undici', 'vs raw'],
					rows: CLIENTS.map((n) =>
						failures.has(n) || !values.has(n)
							? [n, 'n/a', '', '', failures.get(n) ?? 'not available']
							: [
									n,
									fmtNumber(m(n)),
									`${fmtNumber(spread(values.get(n)!) * 100)}%`,
									fmtRatio(ratio(m(n), m(UNDICI))),
									fmtRatio(ratio(m(n), m(RAW))),
								],
					),
				});
				if (mode.scheme === 'https' && mode.concurrency === 16) targets.push(...issue16Targets(m));
				const vsUndici = ratio(m(OURS), m(UNDICI));
				const vsRaw = ratio(m(OURS), m(RAW));
				targets.push(
					{
						target: `${modeName(mode)}: ours ≥ undici`,
						met: Number.isFinite(vsUndici) ? vsUndici >= 1 : null,
						detail: Number.isFinite(vsUndici)
							? `${fmtRate(m(OURS))} vs ${fmtRate(m(UNDICI))}: ${fmtRatio(vsUndici)}`
							: 'not measured',
					},
					{
						target: `${modeName(mode)}: ours within 20% of raw`,
						met: Number.isFinite(vsRaw) ? vsRaw >= 0.8 : null,
						detail: Number.isFinite(vsRaw)
							? `${fmtRatio(vsRaw)} of raw (${fmtRate(m(RAW))})`
							: 'not measured',
					},
				);
			}
			// Squid writes a tunnel's log line when it closes: close every client first.
			for (const c of built.values()) await c.close();
			const entries = await squid.accessLog();
			tables.push({
				title: 'On the wire (Squid access log, whole scenario)',
				columns: [
					'client',
					'https requests sent',
					'CONNECT tunnels',
					'http requests sent',
					'absolute-form GETs',
					'CONNECTs for http',
				],
				rows: wireRows(entries, origin, sent),
			});
			return {
				method:
					`Squid ${squid.version} on loopback with Basic auth; the origin is a Node https/http server in a child process ` +
					'answering 1 KiB bodies, one port per client so that Squid’s access log tells the clients apart; every ' +
					'client verifies the origin certificate against the test CA and reads and checks every body. Closed-loop ' +
					`load per client and mode, bounded by count and time (${limits(1).maxOps} requests or ${limits(1).maxMs} ms at ` +
					`concurrency 1), after a warm-up; ${rounds} interleaved rounds; medians. ours: a client of ` +
					'`@homeserver/outbound-http` (`federation` purpose for https, `push` for http) through got’s promise API ' +
					'(`client.get(url)`), and “ours, stream API” the same client through `client.stream(url)` (how the federation ' +
					'client and the media-fetcher call it); undici 7 `ProxyAgent` + ' +
					'`request()` (tunnel for https, `proxyTunnel: false` for http); `proxy-agent` 8 with `getProxyForUrl` and ' +
					'keep-alive under node:http(s); got 14 with hpagent agents passed per call as hpagent’s README shows; raw: ' +
					'node:https over an hpagent `HttpsProxyAgent` (keep-alive), and node:http in absolute-form to Squid on a ' +
					'keep-alive agent.',
				tables,
				targets,
				notes,
			};
		}),
};
