/**
 * Building blocks shared by the suite: configurations from YAML, a map-based resolver that may answer ANY address
 * (the socket guard keeps real connections on loopback), the test PKI, and an outbound stack wired to all three.
 */
import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { loadConfig } from '@homeserver/config';
import type { Config } from '@homeserver/config';
import { createOutboundHttp } from '@homeserver/outbound-http';
import type { OutboundHttp, OutboundHttpOptions } from '@homeserver/outbound-http';
import { createCertificateAuthority } from '@homeserver/testkit';
import type { CertificateAuthority, TlsMaterial } from '@homeserver/testkit';
import type { LeakAudit } from './secrets.js';
import { withCredentials } from './secrets.js';
import { installSocketGuard } from './socket-guard.js';

installSocketGuard();

/** A configuration from YAML text, as the loader builds it (no environment, paths against `/`). */
export function configFrom(yaml: string): Config {
	return loadConfig({ env: {}, yamlText: yaml, cwd: '/' });
}

/** YAML for both proxies at `origin`, with the suite's credentials. */
export function proxyYaml(origin: string): string {
	const url = JSON.stringify(withCredentials(origin));
	return `http_proxy: ${url}\nhttps_proxy: ${url}\n`;
}

/** YAML allowing exactly 127.0.0.1 (the address the suite's servers listen on); 127.0.0.2 and up stay blocked. */
export const ALLOW_TEST_SERVERS = 'ip_range_whitelist: ["127.0.0.1"]\n';

/** A resolver answering from a map (names lower case, no trailing dot); unknown names fail with ENOTFOUND. */
export interface MapLookup extends LookupFunction {
	readonly calls: string[];
}

/** Builds a {@link MapLookup}; answers may be any address (the socket guard refuses non-loopback connections). */
export function mapLookup(map: Readonly<Record<string, readonly string[]>>): MapLookup {
	const calls: string[] = [];
	const lookup = (
		hostname: string,
		options: unknown,
		callback?: (
			error: NodeJS.ErrnoException | null,
			address: string | LookupAddress[],
			family?: number,
		) => void,
	): void => {
		const done = typeof options === 'function' ? (options as typeof callback) : callback;
		if (done === undefined) throw new TypeError('lookup needs a callback');
		const all =
			typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
		const name = hostname.toLowerCase().replace(/\.$/, '');
		calls.push(name);
		const found = isIP(name) !== 0 ? [name] : map[name];
		process.nextTick(() => {
			if (found === undefined || found.length === 0) {
				const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
				error.code = 'ENOTFOUND';
				return done(error, all ? [] : '');
			}
			const entries = found.map((address) => ({ address, family: isIP(address) }));
			if (all) done(null, entries);
			else done(null, entries[0]!.address, entries[0]!.family);
		});
	};
	return Object.assign(lookup as LookupFunction, { calls });
}

/** The suite's PKI: a CA, a destination certificate (test names and 127.0.0.1) and a proxy certificate. */
export interface Pki {
	readonly ca: CertificateAuthority;
	readonly destination: TlsMaterial;
	readonly proxy: TlsMaterial;
}

let pki: Promise<Pki> | undefined;

/** The PKI, created once per test file. */
export function testPki(): Promise<Pki> {
	pki ??= (async () => {
		const ca = await createCertificateAuthority({ name: 'Hostile suite CA' });
		return {
			ca,
			destination: await ca.issue({
				dnsNames: ['test.com', '*.test.com', 'remote.test', '*.remote.test', 'localhost'],
				ipAddresses: ['127.0.0.1'],
			}),
			proxy: await ca.issue({ dnsNames: ['proxy.test'], ipAddresses: ['127.0.0.1'] }),
		};
	})();
	return pki;
}

/**
 * Bounded timeouts for the suite (ms): a wrong test fails instead of hanging, yet a loaded CI machine (several
 * test processes on two cores) never trips them. Fault tests that assert a timeout set their own, shorter ones.
 */
export const SUITE_TIMEOUTS = {
	lookup: 5000,
	connect: 10_000,
	secureConnect: 10_000,
	proxy: 10_000,
	send: 10_000,
	response: 15_000,
	socket: 15_000,
	request: 30_000,
} as const;

/**
 * An outbound stack for tests: the map resolver, the test CA, no retries, the audit's logger, bounded time.
 * `trustTestCa: false` leaves the CA out: stacks that never complete a TLS handshake are then much cheaper, as an
 * extra CA costs a new secure context (system roots included) for every TLS connection the stack starts.
 */
export async function outboundFor(
	config: Config,
	audit: LeakAudit,
	lookup: LookupFunction,
	options: Partial<OutboundHttpOptions> & { readonly trustTestCa?: boolean } = {},
): Promise<OutboundHttp> {
	const { trustTestCa = true, ...rest } = options;
	const { ca } = await testPki();
	return createOutboundHttp(config, {
		lookup,
		logger: audit.logger,
		...(trustTestCa ? { ca: [ca.certPem] } : {}),
		retryLimit: 0,
		timeouts: SUITE_TIMEOUTS,
		...rest,
	});
}
