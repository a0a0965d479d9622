// A loopback "network" for federation client tests: test names mapped to 127.0.0.1 by injected lookups (ours and
// the proxy's), a test CA trusted through federation_custom_ca_list, a remote homeserver that verifies our
// signatures independently, in-process forward proxies, and a test DNS for SRV records.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ExecutionContext } from 'ava';
import { loadConfig } from '@homeserver/config';
import type { Config } from '@homeserver/config';
import { createOutboundHttp } from '@homeserver/outbound-http';
import type { OutboundHttp, OutboundHttpOptions } from '@homeserver/outbound-http';
import {
	createCertificateAuthority,
	createTestResolver,
	loopbackLookup,
	startTestForwardProxy,
	startRemoteHomeserver,
} from '@homeserver/testkit';
import type {
	CertificateAuthority,
	ForwardProxy,
	ForwardProxyOptions,
	LoopbackLookup,
	RemoteHomeserver,
	RemoteHomeserverOptions,
	TestResolver,
	TestResolverOptions,
	TlsMaterial,
} from '@homeserver/testkit';
import type { HandlerFunction, Options } from 'got';
import { pino } from 'pino';
import { createFederationClient, generateSigningKey } from '../../src/index.js';
import type { FederationClient, SigningKey } from '../../src/index.js';

/** Our server name in every test. */
export const ORIGIN = 'origin.test';

/** Every name the tests use; all loopback. */
export const HOSTS = {
	testserv: '127.0.0.1',
	'target-server': '127.0.0.1',
	srvtarget: '127.0.0.1',
	srvtarget2: '127.0.0.1',
	'proxy.com': '127.0.0.1',
	'xn--bcher-kva.com': '127.0.0.1',
} as const;

/** Loopback allowed for direct federation; 10.0.0.0/8 and the rest of the default blocklist stay blocked. */
const ALLOW_LOOPBACK = 'ip_range_whitelist: ["127.0.0.0/8", "::1/128"]';

/** TLS material and keys shared by the tests of one file. */
export interface TestPki {
	readonly dir: string;
	/** The CA trusted through `federation_custom_ca_list`. */
	readonly ca: CertificateAuthority;
	/** The CA's PEM file (`federation_custom_ca_list`). */
	readonly caFile: string;
	/** For the remote homeserver: every test name, 127.0.0.1 and ::1. */
	readonly remote: TlsMaterial;
	/** For https proxies: proxy.com. */
	readonly proxy: TlsMaterial;
	/** From a CA nobody trusts (for certificate-check failures). */
	readonly untrusted: TlsMaterial;
	readonly key: SigningKey;
}

let pki: Promise<TestPki> | undefined;

/** The PKI of this test file (created once); its temporary directory is removed when the process exits. */
export function testPki(): Promise<TestPki> {
	pki ??= (async () => {
		const dir = await mkdtemp(join(tmpdir(), 'federation-client-'));
		process.once('exit', () => void rm(dir, { recursive: true, force: true }));
		const ca = await createCertificateAuthority();
		const stranger = await createCertificateAuthority();
		const caFile = join(dir, 'ca.pem');
		await writeFile(caFile, ca.certPem);
		const names = Object.keys(HOSTS).filter((name) => name !== 'proxy.com');
		return {
			dir,
			ca,
			caFile,
			remote: await ca.issue({ dnsNames: names, ipAddresses: ['127.0.0.1', '::1'] }),
			proxy: await ca.issue({ dnsNames: ['proxy.com'] }),
			untrusted: await stranger.issue({ dnsNames: names, ipAddresses: ['127.0.0.1'] }),
			key: generateSigningKey('t1'),
		};
	})();
	return pki;
}

/** A configuration as an operator writes it: our CA in `federation_custom_ca_list`, loopback allowed. */
export async function configFor(
	env: Record<string, string> = {},
	yaml: readonly string[] = [],
	options: { customCa?: boolean } = {},
): Promise<Config> {
	const { dir, caFile } = await testPki();
	const ca = options.customCa === false ? [] : [`federation_custom_ca_list: ["${caFile}"]`];
	const yamlText = [`server_name: ${ORIGIN}`, ...ca, ALLOW_LOOPBACK, ...yaml].join('\n');
	return loadConfig({ env, yamlText, configPath: join(dir, 'homeserver.yaml') });
}

/** A remote homeserver named `testserv` trusting our key, closed after the test. */
export async function remoteServer(
	t: ExecutionContext,
	options: Partial<RemoteHomeserverOptions> = {},
): Promise<RemoteHomeserver> {
	const { remote, key } = await testPki();
	const server = await startRemoteHomeserver({
		serverName: 'testserv',
		tls: remote,
		keys: { [ORIGIN]: { keyId: key.keyId, publicKeyBase64: key.publicKeyBase64 } },
		...options,
	});
	t.teardown(() => server.close());
	return server;
}

/** An in-process forward proxy resolving the test names to loopback, closed after the test. */
export async function forwardProxy(
	t: ExecutionContext,
	options: ForwardProxyOptions = {},
): Promise<ForwardProxy> {
	return startTestForwardProxy(t, HOSTS, options);
}

/** `scheme://[user:pass@]proxy.com:PORT` for a proxy. */
export function proxyUrl(proxy: ForwardProxy, credentials = ''): string {
	return proxy.url.replace('//127.0.0.1', `//${credentials}proxy.com`);
}

/**
 * Port 443 cannot be bound in tests: this got handler sends `https://<name>/...` (port 443, i.e. the `.well-known`
 * fetch) to `port` instead, before routing, keeping `Host: <name>`. Everything else passes untouched.
 */
function wellKnownPortMap(port: number): HandlerFunction {
	return ((options: Options, next: (options: Options) => unknown) => {
		const url = options.url;
		if (url instanceof URL && url.protocol === 'https:' && url.port === '') {
			const moved = new URL(url);
			moved.port = String(port);
			options.url = moved;
			options.headers = { ...options.headers, host: url.hostname };
		}
		return next(options);
	}) as HandlerFunction;
}

/** What a test talks through. */
export interface TestClient {
	readonly client: FederationClient;
	readonly outbound: OutboundHttp;
	/** Our side's DNS for direct connections (every name asked is recorded). */
	readonly lookup: LoopbackLookup;
	readonly dns: TestResolver;
	/** Debug log lines (JSON). */
	readonly logs: string[];
}

/** The federation client under test, closed after the test. */
export async function federationClient(
	t: ExecutionContext,
	config: Config,
	options: {
		srv?: TestResolverOptions['srv'];
		wellKnownPort?: number;
		timeouts?: OutboundHttpOptions['timeouts'];
	} = {},
): Promise<TestClient> {
	const { key } = await testPki();
	const lookup = loopbackLookup(HOSTS);
	const real = createOutboundHttp(config, {
		lookup,
		retryLimit: 0,
		...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
	});
	t.teardown(() => real.close());
	const port = options.wellKnownPort;
	const federation =
		port === undefined ? undefined : real.client('federation').extend({ handlers: [wellKnownPortMap(port)] });
	const outbound: OutboundHttp = {
		...real,
		client: (purpose) =>
			purpose === 'federation' && federation !== undefined ? federation : real.client(purpose),
	};
	const dns = createTestResolver({ srv: options.srv ?? {}, a: HOSTS });
	const logs: string[] = [];
	const sink = new Writable({
		write(chunk: Buffer, _encoding, callback) {
			logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
			callback();
		},
	});
	const logger = pino({ level: 'debug' }, sink);
	// Resolution budgets far above the defaults: a loaded CI machine must not turn a loopback .well-known into "no
	// answer in time" (the budgets themselves are tested in resolution-deadline.test.ts).
	const client = createFederationClient({
		config,
		outbound,
		signingKey: key,
		dns,
		logger,
		wellKnownTimeoutMs: 60_000,
		srvTimeoutMs: 60_000,
	});
	t.teardown(() => client.close());
	return { client, outbound, lookup, dns, logs };
}

/** `Basic base64(user:password)`. */
export function basic(user: string, password: string): string {
	return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
