import { Writable } from 'node:stream';
import { loadConfig } from '@homeserver/config';
import type { Config, Environment } from '@homeserver/config';
import { createCertificateAuthority, loopbackLookup } from '@homeserver/testkit';
import type { CertificateAuthority, LoopbackHostMap, TlsMaterial } from '@homeserver/testkit';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { createOutboundHttp } from '../../src/index.js';
import type { OutboundHttp, OutboundHttpOptions } from '../../src/index.js';

/** Loopback in every allowlist, so direct test connections to 127.0.0.1 / ::1 pass the IP policy. */
export const ALLOW_LOOPBACK = 'ip_range_whitelist: ["127.0.0.0/8", "::1/128"]\n';

/** A configuration from an environment and YAML text, as the loader builds it. */
export function configFrom(env: Environment = {}, yaml = ''): Config {
	return loadConfig({ env, yamlText: yaml, cwd: '/' });
}

/** The names tests use, all mapped to loopback. */
export const HOSTS: LoopbackHostMap = {
	'test.com': '127.0.0.1',
	'*.test.com': '127.0.0.1',
	'other.test': '127.0.0.1',
	'proxy.test': '127.0.0.1',
	'proxy6.test': '::1',
	'internal.test': '127.0.0.1',
	'v6.test': '::1',
};

/** Collects pino's JSON lines in memory. */
export function memoryLogger(): { logger: Logger; lines: string[] } {
	const lines: string[] = [];
	const sink = new Writable({
		write(chunk: Buffer, _encoding, callback) {
			lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
			callback();
		},
	});
	return { logger: pino({ level: 'debug' }, sink), lines };
}

/** Shared TLS material for a test file: a CA and certificates for the test names and loopback addresses. */
export interface Pki {
	readonly ca: CertificateAuthority;
	/** Valid for test.com, *.test.com, other.test, v6.test, internal.test, 127.0.0.1, ::1. */
	readonly destination: TlsMaterial;
	/** Valid for proxy.test, proxy6.test, 127.0.0.1, ::1. */
	readonly proxy: TlsMaterial;
}

let pki: Promise<Pki> | undefined;

/** The test PKI (created once per test file). */
export function testPki(): Promise<Pki> {
	pki ??= (async () => {
		const ca = await createCertificateAuthority();
		return {
			ca,
			destination: await ca.issue({
				dnsNames: ['test.com', '*.test.com', 'other.test', 'v6.test', 'internal.test'],
				ipAddresses: ['127.0.0.1', '::1'],
			}),
			proxy: await ca.issue({ dnsNames: ['proxy.test', 'proxy6.test'], ipAddresses: ['127.0.0.1', '::1'] }),
		};
	})();
	return pki;
}

/** An outbound stack on loopback: test names resolved by a loopback map, the test CA trusted, no retries. */
export async function outbound(config: Config, options: OutboundHttpOptions = {}): Promise<OutboundHttp> {
	const { ca } = await testPki();
	return createOutboundHttp(config, {
		lookup: loopbackLookup(HOSTS),
		ca: [ca.certPem],
		retryLimit: 0,
		...options,
	});
}

/** `Basic base64(user:password)`. */
export function basic(user: string, password: string): string {
	return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
