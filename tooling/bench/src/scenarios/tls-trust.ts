/**
 * Scenario 6: what extra trusted roots cost per request (moved here from outbound-http's bench folder). New TLS
 * connections (direct, inside CONNECT tunnels, and TLS-in-TLS through an `https://` proxy) and requests on one
 * kept-alive connection, with the `ca` option (system roots + one CA), with `federation_custom_ca_list` (the
 * custom CA only), and without any CA (certificate checks off: Node's default context, the baseline). CPU time
 * is the whole process's (client and the loopback servers). Everything is on loopback.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '@homeserver/config';
import { createOutboundHttp } from '@homeserver/outbound-http';
import type { OutboundHttp } from '@homeserver/outbound-http';
import {
	createCertificateAuthority,
	loopbackLookup,
	startForwardProxy,
	startHttpsServer,
} from '@homeserver/testkit';
import { withCleanup } from '../lib/cleanup.js';
import type { Scenario, ScenarioReport, TargetResult } from '../lib/scenario.js';
import { fmtNumber, fmtRatio, ratio } from '../lib/stats.js';
import { tempDir } from '../lib/temp-dir.js';

const ALLOW = 'ip_range_whitelist: ["127.0.0.0/8"]\n';

interface Profile {
	readonly name: string;
	readonly yaml: string;
	readonly withCa: boolean;
}

/** CPU ms per request of the round with the least CPU time, and its wall time. */
interface Figure {
	readonly cpuPerRequest: number;
	readonly wallMs: number;
}

/** The TLS trust scenario. */
export const tlsTrust: Scenario = {
	id: 'tls-trust',
	title: 'Cost of extra trusted roots',
	run: (ctx) =>
		withCleanup(async (cleanup): Promise<ScenarioReport> => {
			const newConnections = ctx.quick ? 3 : 20;
			const keptAlive = ctx.quick ? 20 : 1000;
			const rounds = ctx.quick ? 1 : 3;
			const ca = await createCertificateAuthority();
			const tls = await ca.issue({ dnsNames: ['*.test.com'], ipAddresses: ['127.0.0.1'] });
			const server = cleanup.defer(await startHttpsServer(tls), (s) => s.close());
			const lookup = loopbackLookup({ '*.test.com': '127.0.0.1', 'proxy.test': '127.0.0.1' });
			const proxy = cleanup.defer(await startForwardProxy({ lookup }), (p) => p.close());
			const tlsProxy = cleanup.defer(
				await startForwardProxy({
					lookup,
					tls: await ca.issue({ dnsNames: ['proxy.test'], ipAddresses: ['127.0.0.1'] }),
				}),
				(p) => p.close(),
			);
			const caFile = join(await tempDir(cleanup), 'ca.pem');
			await writeFile(caFile, ca.certPem);
			const stack = (env: Record<string, string>, profile: Profile): OutboundHttp => {
				const config = loadConfig({ env, yamlText: ALLOW + profile.yaml, cwd: '/' });
				return createOutboundHttp(config, {
					lookup,
					retryLimit: 0,
					...(profile.withCa ? { ca: [ca.certPem] } : {}),
				});
			};
			let serial = 0;
			const measure = async (count: number, run: (serial: number) => Promise<unknown>): Promise<Figure> => {
				await run(++serial); // warm-up (and first use of the stack)
				let best = { wallMs: Number.POSITIVE_INFINITY, cpuMs: Number.POSITIVE_INFINITY };
				for (let round = 0; round < rounds; round++) {
					const cpu = process.cpuUsage();
					const start = performance.now();
					for (let index = 0; index < count; index++) await run(++serial);
					const wallMs = performance.now() - start;
					const used = process.cpuUsage(cpu);
					const cpuMs = (used.user + used.system) / 1000;
					if (cpuMs < best.cpuMs) best = { wallMs, cpuMs };
				}
				return { cpuPerRequest: best.cpuMs / count, wallMs: best.wallMs };
			};
			const profiles: Profile[] = [
				{
					name: 'no CA, checks off (baseline)',
					yaml: 'use_insecure_ssl_client_just_for_testing_do_not_use: true\n',
					withCa: false,
				},
				{ name: '`ca` option (system roots + 1 CA)', yaml: '', withCa: true },
				{
					name: 'federation_custom_ca_list (1 CA, no system roots)',
					yaml: `federation_custom_ca_list: [${JSON.stringify(caFile)}]\n`,
					withCa: false,
				},
			];
			const port = server.port;
			const figures = new Map<string, Figure[]>();
			for (const profile of profiles) {
				ctx.log(profile.name);
				const purpose = profile.yaml.includes('federation_custom_ca_list') ? 'federation' : 'push';
				const direct = stack({}, profile);
				// A distinct host name per request: a new pool key, so a new TCP + TLS connection each time.
				const fresh = await measure(newConnections, (index) =>
					direct.client(purpose).get(`https://n${index}.test.com:${port}/`).text(),
				);
				const kept = await measure(keptAlive, () =>
					direct.client(purpose).get(`https://keep.test.com:${port}/`).text(),
				);
				direct.close();
				const tunnelled = stack({ https_proxy: proxy.url }, profile);
				const tunnel = await measure(newConnections, (index) =>
					tunnelled.client(purpose).get(`https://t${index}.test.com:${port}/`).text(),
				);
				tunnelled.close();
				const inTls = stack({ https_proxy: tlsProxy.url.replace('127.0.0.1', 'proxy.test') }, profile);
				const tlsInTls = await measure(newConnections, (index) =>
					inTls.client(purpose).get(`https://p${index}.test.com:${port}/`).text(),
				);
				inTls.close();
				figures.set(profile.name, [fresh, kept, tunnel, tlsInTls]);
			}
			const cell = (f: Figure): string =>
				`${fmtNumber(f.cpuPerRequest, 2)} ms (${fmtNumber(f.wallMs)} ms wall)`;
			const rows = profiles.map((p) => [p.name, ...figures.get(p.name)!.map(cell)]);
			const baseline = figures.get(profiles[0]!.name)![0]!.cpuPerRequest;
			const withCa = figures.get(profiles[1]!.name)![0]!.cpuPerRequest;
			const targets: TargetResult[] = [
				{
					target:
						'a new TLS connection with `ca` costs at most 3× the CPU of the baseline (no copy of the roots per connection)',
					met: Number.isFinite(baseline) && baseline > 0 ? withCa <= 3 * baseline : null,
					detail: `${fmtNumber(withCa, 2)} ms vs ${fmtNumber(baseline, 2)} ms CPU (${fmtRatio(ratio(withCa, baseline))})`,
				},
			];
			return {
				method:
					`Per profile: ${newConnections} requests each on a new TCP + TLS connection (a new host name each), ` +
					`${keptAlive} requests on one kept-alive connection, ${newConnections} requests each in a new CONNECT ` +
					`tunnel, and ${newConnections} each in a new TLS-in-TLS tunnel through an https:// proxy; after a ` +
					`warm-up, the best of ${rounds} rounds by CPU time. CPU is the whole process's (client and loopback ` +
					'servers), per request.',
				tables: [
					{
						title: 'CPU per request (best round)',
						columns: [
							'profile',
							'direct, new connection',
							'direct, kept alive',
							'tunnel, new',
							'https proxy, new TLS-in-TLS',
						],
						rows,
					},
				],
				targets,
				notes: [],
			};
		}),
};
