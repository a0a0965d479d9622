/**
 * Scenario 2: routing decisions per second with `no_proxy` lists of 100 to 100,000 entries, ours
 * (`createRouter(config).route(url, 'push')`, default blocklist) against `proxy-from-env` (domains only) and
 * a hand-written linear scan with `ip-cidr`, on already-parsed URLs.
 */
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import IPCIDR from 'ip-cidr';
import { getProxyForUrl } from 'proxy-from-env';
import { opsPerSecond, sinkValue } from '../lib/micro.js';
import { expectedRoute, makeNoProxyFixture } from '../lib/no-proxy-fixture.js';
import type { NoProxyFixture, UrlKind } from '../lib/no-proxy-fixture.js';
import { loadConfig } from '@homeserver/config';
import { createRouter } from '@homeserver/outbound-http';
import type { Scenario, ScenarioReport, TargetResult } from '../lib/scenario.js';
import { fmtNumber, fmtRate, fmtRatio, median, ratio } from '../lib/stats.js';
import { interleavedRounds } from '../lib/rounds.js';
import { describeError } from '../lib/load.js';
import { setProxyFromEnvEnvironment } from '../contenders/proxy-from-env-environment.js';
import type { RestoreEnvironment } from '../contenders/proxy-from-env-environment.js';

const PROXY = 'http://proxy.bench.invalid:3128';
const OURS = 'ours';
const PFE = 'proxy-from-env';
const LINEAR = 'linear ip-cidr scan';

type Decide = (url: URL) => unknown;

interface Built {
	readonly decide: Decide;
	readonly buildMs: number;
	/** URLs decided as the contender's own rules say they should be, over those checked. */
	readonly agreement: string;
}

const stripBrackets = (h: string): string => (h.startsWith('[') ? h.slice(1, -1) : h);

function buildOurs(fx: NoProxyFixture): Built {
	const t0 = performance.now();
	const cfg = loadConfig({
		env: { https_proxy: PROXY, http_proxy: PROXY, no_proxy: [...fx.domains, ...fx.cidrs].join(',') },
	});
	const router = createRouter(cfg);
	const buildMs = performance.now() - t0;
	const decide: Decide = (url) => router.route(url, 'push').route === 'direct';
	let agree = 0;
	const wrong = new Map<UrlKind, number>();
	fx.urls.forEach((url, i) => {
		const kind = fx.kinds[i]!;
		if (router.route(url, 'push').route === expectedRoute[kind]) agree++;
		else wrong.set(kind, (wrong.get(kind) ?? 0) + 1);
	});
	const detail = [...wrong].map(([k, n]) => `${n} ${k}`).join(', ');
	return { decide, buildMs, agreement: `${agree}/${fx.urls.length}${detail ? ` (wrong: ${detail})` : ''}` };
}

function buildProxyFromEnv(fx: NoProxyFixture): Built {
	// proxy-from-env reads the environment on every call.
	// A leading dot makes its match a suffix match (subdomains), like a bare domain in our no_proxy.
	const list = fx.domains.map((d) => `.${d}`).join(',');
	restoreEnvironment.push(setProxyFromEnvEnvironment(list, PROXY));
	let agree = 0;
	fx.urls.forEach((url, i) => {
		const direct = getProxyForUrl(url) === '';
		if (direct === (fx.kinds[i] === 'domain hit')) agree++;
	});
	return { decide: (url) => getProxyForUrl(url) === '', buildMs: 0, agreement: `${agree}/${fx.urls.length}` };
}

function buildLinear(fx: NoProxyFixture): Built {
	const t0 = performance.now();
	const ranges = fx.cidrs.map((c) => new IPCIDR(c));
	const buildMs = performance.now() - t0;
	const domains = fx.domains;
	const decide: Decide = (url) => {
		const host = stripBrackets(url.hostname);
		if (isIP(host) !== 0) return ranges.some((r) => r.contains(host));
		return domains.some((d) => host === d || host.endsWith(`.${d}`));
	};
	// Checking every URL would take minutes at 100,000 entries: check a sample.
	const sample = Math.min(fx.urls.length, 40);
	let agree = 0;
	for (let i = 0; i < sample; i++) {
		const kind = fx.kinds[i]!;
		if (Boolean(decide(fx.urls[i]!)) === (kind.endsWith('hit') || false)) agree++;
	}
	return { decide, buildMs, agreement: `${agree}/${sample} (sample)` };
}

const restoreEnvironment: RestoreEnvironment[] = [];

/** The routing scenario. */
export const routing: Scenario = {
	id: 'routing',
	title: 'Routing decisions',
	async run(ctx): Promise<ScenarioReport> {
		const sizes = ctx.quick ? [100, 1000] : [100, 1000, 10_000, 100_000];
		const rounds = ctx.quick ? 2 : 5;
		const budgetMs = ctx.quick ? 20 : 250;
		const notes: string[] = [];
		const rows: string[][] = [];
		const buildRows: string[][] = [];
		const ourRate = new Map<number, number>();
		try {
			for (const size of sizes) {
				const fx = makeNoProxyFixture(size, 4096);
				ctx.log(`${size} entries`);
				const built = new Map<string, Built>();
				built.set(OURS, buildOurs(fx));
				built.set(PFE, buildProxyFromEnv(fx));
				built.set(LINEAR, buildLinear(fx));
				for (const b of built.values()) opsPerSecond(fx.urls, b.decide, budgetMs / 5, 3); // warm-up
				const values = await interleavedRounds(
					[...built.keys()],
					rounds,
					(name) => Promise.resolve(opsPerSecond(fx.urls, built.get(name)!.decide, budgetMs, 3)),
					(name, e) => notes.push(`${name} at ${size}: ${describeError(e)}`),
				);
				const m = (name: string): number => median(values.get(name) ?? []);
				if (built.has(OURS)) ourRate.set(size, m(OURS));
				rows.push([
					fmtNumber(size),
					fmtRate(m(OURS)),
					fmtRate(m(PFE)),
					fmtRate(m(LINEAR)),
					fmtRatio(ratio(m(OURS), m(PFE))),
					fmtRatio(ratio(m(OURS), m(LINEAR))),
				]);
				buildRows.push([
					fmtNumber(size),
					...[OURS, PFE, LINEAR].map((n) => {
						const b = built.get(n);
						return b ? `${fmtNumber(b.buildMs, 1)} ms; ${b.agreement}` : 'n/a';
					}),
				]);
			}
		} finally {
			// Latest first, so that the variables end as they were before the first size.
			for (const restore of restoreEnvironment.splice(0).reverse()) restore();
		}
		ctx.log(`sink ${sinkValue()}`);
		const at10k = ourRate.get(10_000);
		const growth = ratio(ourRate.get(100), ourRate.get(100_000));
		const logBound = Math.log(100_000) / Math.log(100);
		const targets: TargetResult[] = [
			{
				target: '≥ 1,000,000 decisions/s at 10,000 entries',
				met: at10k === undefined ? null : at10k >= 1e6,
				detail:
					at10k === undefined
						? 'ours not measured'
						: `${fmtRate(at10k)}${at10k < 1e6 ? ` (${fmtNumber((1 - at10k / 1e6) * 100)}% short)` : ''}`,
			},
			{
				target: `cost grows at most logarithmically (cost at 100,000 / cost at 100 ≤ ${logBound.toFixed(1)})`,
				met: Number.isFinite(growth) ? growth <= logBound : null,
				detail: Number.isFinite(growth)
					? `cost ratio ${fmtRatio(growth)}`
					: 'ours not measured at both sizes',
			},
		];
		return {
			method:
				`Purpose \`push\` with \`https_proxy\` set and the default IP blocklist. Each list is half domains (each ` +
				'covering its subdomains), half CIDR ranges (IPv4 /16 to /28, IPv6 /32 to /64). 4,096 pre-parsed URLs, ' +
				'shuffled: 25% subdomains of listed domains, 15% unlisted names, 15%/10% IPv4/IPv6 literals inside listed ' +
				'ranges, 10%/10% outside, 15% private or loopback literals (refused by the blocklist). ' +
				`${rounds} interleaved rounds of ${budgetMs} ms per contender and size after a warm-up; medians. ` +
				'`proxy-from-env` gets the domain half only (it has no CIDR support) through `NO_PROXY` as `.domain` ' +
				'entries, and re-reads and splits the variable on every call, as it is written to. The linear scan is ' +
				'what one writes by hand: `ip-cidr` `contains()` over every range for IP literals, `endsWith` over every ' +
				'domain for names.',
			tables: [
				{
					title: 'Decisions per second (median)',
					columns: [
						'entries',
						OURS,
						`${PFE} (domains only)`,
						LINEAR,
						'ours / proxy-from-env',
						'ours / linear',
					],
					rows,
				},
				{
					title: 'Build time and correctness (URLs decided as each contender’s own rules require)',
					columns: ['entries', OURS, PFE, LINEAR],
					rows: buildRows,
				},
			],
			targets,
			notes,
		};
	},
};
