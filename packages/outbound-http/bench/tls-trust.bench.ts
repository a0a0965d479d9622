// What extra trusted roots cost per request: new TLS connections (direct, inside CONNECT tunnels, and TLS-in-TLS
// through an https:// proxy) and requests on a kept-alive connection, with the `ca` option (system roots + one CA),
// with federation_custom_ca_list (only the custom CA), and without any CA (certificate checks off: Node's default
// context, the baseline). CPU time is the whole process's (client and the loopback servers).
// Run: npx tsx bench/tls-trust.bench.ts. Not a test: numbers depend on the machine. Everything is on loopback.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '@homeserver/config';
import {
	createCertificateAuthority,
	loopbackLookup,
	startForwardProxy,
	startHttpsServer,
} from '@homeserver/testkit';
import { createOutboundHttp } from '../src/index.js';
import type { OutboundHttp } from '../src/index.js';

const NEW_CONNECTIONS = 20;
const KEPT_ALIVE = 1_000;
const ALLOW = 'ip_range_whitelist: ["127.0.0.0/8"]\n';

const ca = await createCertificateAuthority();
const tls = await ca.issue({ dnsNames: ['*.test.com'], ipAddresses: ['127.0.0.1'] });
const server = await startHttpsServer(tls);
const lookup = loopbackLookup({ '*.test.com': '127.0.0.1', 'proxy.test': '127.0.0.1' });
const proxy = await startForwardProxy({ lookup });
const tlsProxy = await startForwardProxy({
	lookup,
	tls: await ca.issue({ dnsNames: ['proxy.test'], ipAddresses: ['127.0.0.1'] }),
});
const directory = mkdtempSync(join(tmpdir(), 'tls-trust-bench-'));
const caFile = join(directory, 'ca.pem');
writeFileSync(caFile, ca.certPem);

function stack(env: Record<string, string>, yaml: string, withCa: boolean): OutboundHttp {
	const config = loadConfig({ env, yamlText: ALLOW + yaml, cwd: '/' });
	return createOutboundHttp(config, { lookup, retryLimit: 0, ...(withCa ? { ca: [ca.certPem] } : {}) });
}

const ROUNDS = 3;
let serial = 0;

/** Runs `count` requests ROUNDS times (the machine is shared) and prints the round with the least CPU time. */
async function measure(
	label: string,
	count: number,
	run: (serial: number) => Promise<unknown>,
): Promise<void> {
	await run(++serial); // warm-up (and first use of the stack)
	let best = { wall: Number.POSITIVE_INFINITY, cpu: Number.POSITIVE_INFINITY };
	for (let round = 0; round < ROUNDS; round++) {
		const cpu = process.cpuUsage();
		const start = performance.now();
		for (let index = 0; index < count; index++) await run(++serial);
		const wall = performance.now() - start;
		const used = process.cpuUsage(cpu);
		const cpuMs = (used.user + used.system) / 1000;
		if (cpuMs < best.cpu) best = { wall, cpu: cpuMs };
	}
	console.log(
		`${label.padEnd(68)} ${String(count).padStart(5)} requests: ${best.wall.toFixed(0).padStart(5)} ms wall, ` +
			`${best.cpu.toFixed(0).padStart(5)} ms CPU, ${(best.cpu / count).toFixed(2).padStart(6)} ms CPU/request`,
	);
}

const profiles: [string, Record<string, string>, string, boolean][] = [
	['no CA, checks off (baseline)', {}, 'use_insecure_ssl_client_just_for_testing_do_not_use: true\n', false],
	['`ca` option (system roots + 1 CA)', {}, '', true],
	[
		'federation_custom_ca_list (1 CA, no system roots)',
		{},
		`federation_custom_ca_list: ["${caFile}"]\n`,
		false,
	],
];

for (const [name, env, yaml, withCa] of profiles) {
	const purpose = yaml.includes('federation_custom_ca_list') ? 'federation' : 'push';
	const port = server.port;
	const direct = stack(env, yaml, withCa);
	// A distinct host name per request: a new pool key, so a new TCP + TLS connection each time.
	await measure(`direct, new connection each: ${name}`, NEW_CONNECTIONS, (index) =>
		direct.client(purpose).get(`https://n${index}.test.com:${port}/`).text(),
	);
	await measure(`direct, one kept-alive connection: ${name}`, KEPT_ALIVE, () =>
		direct.client(purpose).get(`https://keep.test.com:${port}/`).text(),
	);
	direct.close();
	const tunnelled = stack({ https_proxy: proxy.url }, yaml, withCa);
	await measure(`tunnel, new tunnel each: ${name}`, NEW_CONNECTIONS, (index) =>
		tunnelled.client(purpose).get(`https://t${index}.test.com:${port}/`).text(),
	);
	tunnelled.close();
	const tlsProxyUrl = tlsProxy.url.replace('127.0.0.1', 'proxy.test');
	const inTls = stack({ https_proxy: tlsProxyUrl }, yaml, withCa);
	await measure(`https proxy, new TLS-in-TLS tunnel each: ${name}`, NEW_CONNECTIONS, (index) =>
		inTls.client(purpose).get(`https://p${index}.test.com:${port}/`).text(),
	);
	inTls.close();
}

await Promise.all([server.close(), proxy.close(), tlsProxy.close()]);
rmSync(directory, { recursive: true, force: true });
