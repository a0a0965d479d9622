import type { SrvRecord } from 'node:dns';
import { createFederationClient, generateSigningKey } from '@homeserver/federation';
import type { FederationClient } from '@homeserver/federation';
import { IpBlockedError } from '@homeserver/outbound-http';
import type { OutboundHttp } from '@homeserver/outbound-http';
import { createTestResolver, startHttpsServer } from '@homeserver/testkit';
import type { DestinationServer } from '@homeserver/testkit';
import test from 'ava';
import { startFaultProxy } from './helpers/fault-proxy.js';
import type { FaultProxy } from './helpers/fault-proxy.js';
import { LeakAudit } from './helpers/secrets.js';
import { watchConnections } from './helpers/socket-guard.js';
import { configFrom, mapLookup, outboundFor, proxyYaml, testPki } from './helpers/stack.js';
import { registerSuiteChecks } from './helpers/suite-hooks.js';

const audit = new LeakAudit();
registerSuiteChecks(test, audit);

type Route = 'proxied' | 'split';

/** A server name whose `.well-known` or SRV records point into blocked space. */
interface DelegationCase {
	readonly name: string;
	/** `m.server` of its `.well-known` (none: 404), or a redirect of the `.well-known` itself. */
	readonly wellKnown?: string | { redirect: string };
	readonly srv?: Readonly<Record<string, readonly SrvRecord[]>>;
	/** The address the ERR_IP_BLOCKED names, or the code of an earlier refusal (`blocked` is then 127.0.0.2). */
	readonly refused: string | { readonly code: string };
	/** Targets that are names are the proxy's business when proxied: those cases run on the split config only. */
	readonly routes: readonly Route[];
}

const BOTH: readonly Route[] = ['proxied', 'split'];
const srv = (name: string, priority = 0): SrvRecord => ({ name, port: 8448, priority, weight: 10 });

const CASES: readonly DelegationCase[] = [
	{ name: 'wk-literal', wellKnown: '127.0.0.2:8448', refused: '127.0.0.2', routes: BOTH },
	{ name: 'wk-literal-noport', wellKnown: '127.0.0.2', refused: '127.0.0.2', routes: BOTH },
	{ name: 'wk-v6', wellKnown: '[::1]:8448', refused: '::1', routes: BOTH },
	{ name: 'wk-mapped', wellKnown: '[::ffff:127.0.0.2]:8448', refused: '127.0.0.2', routes: BOTH },
	{ name: 'wk-private', wellKnown: '10.0.0.1:8448', refused: '10.0.0.1', routes: BOTH },
	{ name: 'wk-metadata', wellKnown: '169.254.169.254:443', refused: '169.254.169.254', routes: BOTH },
	{ name: 'wk-nat64', wellKnown: '[64:ff9b::a9fe:a9fe]:8448', refused: '64:ff9b::a9fe:a9fe', routes: BOTH },
	{ name: 'wk-zero', wellKnown: '0.0.0.0:8448', refused: '0.0.0.0', routes: BOTH },
	{ name: 'wk-name', wellKnown: 'internal.test:8448', refused: '10.0.0.1', routes: ['split'] },
	{ name: 'wk-name-upper', wellKnown: 'INTERNAL.TEST:8448', refused: '10.0.0.1', routes: ['split'] },
	{
		name: 'wk-srv',
		wellKnown: 'delegated.remote.test',
		srv: { '_matrix-fed._tcp.delegated.remote.test': [srv('127.0.0.2')] },
		refused: '127.0.0.2',
		routes: BOTH,
	},
	{
		name: 'srv-literal',
		srv: { '_matrix-fed._tcp.srv-literal.remote.test': [srv('127.0.0.2')] },
		refused: '127.0.0.2',
		routes: BOTH,
	},
	// An IP literal as an SRV target is not a DNS name: the resolver already refuses it.
	{
		name: 'srv-v6',
		srv: { '_matrix-fed._tcp.srv-v6.remote.test': [srv('::1')] },
		refused: { code: 'ERR_FEDERATION_RESOLUTION' },
		routes: BOTH,
	},
	{
		name: 'srv-name',
		srv: { '_matrix-fed._tcp.srv-name.remote.test': [srv('internal.test')] },
		refused: '10.0.0.1',
		routes: ['split'],
	},
	{
		name: 'srv-legacy',
		srv: {
			'_matrix-fed._tcp.srv-legacy.remote.test': [],
			'_matrix._tcp.srv-legacy.remote.test': [{ ...srv('metadata.test'), port: 443 }],
		},
		refused: '169.254.169.254',
		routes: ['split'],
	},
	{
		name: 'srv-mixed',
		srv: { '_matrix-fed._tcp.srv-mixed.remote.test': [srv('127.0.0.2', 0), srv('10.0.0.1', 10)] },
		refused: '127.0.0.2',
		routes: BOTH,
	},
	// The `.well-known` hop itself is refused: no delegation, so the server name is tried on 8448 via the proxy.
	{
		name: 'wk-redirect',
		wellKnown: { redirect: 'https://127.0.0.2/.well-known/matrix/server' },
		refused: { code: 'ERR_PROXY_REFUSED' },
		routes: BOTH,
	},
];

const host = (item: DelegationCase): string => `${item.name}.remote.test`;
const key = generateSigningKey('hostile');
let wellKnown: DestinationServer;
let proxy: FaultProxy;
const stacks: OutboundHttp[] = [];
const clients = {} as Record<Route, FederationClient>;

test.before(async () => {
	const { destination } = await testPki();
	const table = new Map(CASES.map((item) => [host(item), item.wellKnown]));
	wellKnown = await startHttpsServer(destination, (request, response) => {
		const answer = table.get((request.headers.host ?? '').replace(/:\d+$/, '').toLowerCase());
		if (request.url !== '/.well-known/matrix/server' || answer === undefined)
			return response.writeHead(404).end();
		if (typeof answer === 'object') return response.writeHead(302, { location: answer.redirect }).end();
		response
			.writeHead(200, { 'content-type': 'application/json' })
			.end(JSON.stringify({ 'm.server': answer }));
	});
	proxy = await startFaultProxy();
	for (const item of CASES) proxy.map(`${host(item)}:443`, wellKnown.port);
	const dns = createTestResolver({ srv: Object.assign({}, ...CASES.map((item) => item.srv ?? {})) });
	const lookup = mapLookup({
		'internal.test': ['10.0.0.1'],
		'loop.test': ['127.0.0.2'],
		'metadata.test': ['169.254.169.254'],
	});
	const base = `server_name: origin.test\n${proxyYaml(proxy.url)}`;
	const split =
		'no_proxy_hosts: ["internal.test", "metadata.test", "127.0.0.0/8", "10.0.0.0/8", "::1", "169.254.0.0/16", "64:ff9b::/96", "0.0.0.0"]\n';
	for (const [route, yaml] of [
		['proxied', base],
		['split', base + split],
	] as const) {
		const outbound = await outboundFor(configFrom(yaml), audit, lookup);
		stacks.push(outbound);
		clients[route] = createFederationClient({
			config: outbound.config,
			outbound,
			signingKey: key,
			dns,
			logger: audit.logger,
			// Far above the default budget: a loaded machine must not turn a loopback .well-known into "no answer".
			wellKnownTimeoutMs: 60_000,
		});
	}
});

test.after.always(async () => {
	for (const stack of stacks) stack.close();
	audit.addRequests('.well-known server', wellKnown.requests);
	await Promise.all([wellKnown?.close(), proxy?.close()]);
});

for (const item of CASES) {
	for (const route of item.routes) {
		test(`${route}: ${item.name} (${JSON.stringify(item.wellKnown ?? item.srv)}) never reaches blocked space`, async (t) => {
			const before = proxy.log.length;
			const { error, attempts } = await watchConnections(() =>
				clients[route].request(host(item), { method: 'GET', path: '/_matrix/federation/v1/version' }),
			);
			audit.addError(item.name, error);
			if (typeof item.refused === 'string') {
				t.true(error instanceof IpBlockedError, String(error));
				t.is((error as IpBlockedError).address, item.refused);
			} else {
				t.is((error as { code?: string }).code, item.refused.code, String(error));
			}
			const reached = attempts.flatMap((attempt) => attempt.addresses);
			t.true(
				reached.every((address) => address === '127.0.0.1'),
				reached.join(', '),
			);
			const asked = proxy.log.slice(before).map((entry) => entry.target);
			t.true(asked.includes(`${host(item)}:443`), `the .well-known went via the proxy: ${asked.join(', ')}`);
			const blocked = typeof item.refused === 'string' ? item.refused : '127.0.0.2';
			t.false(
				asked.some((target) => target.includes(blocked)),
				asked.join(', '),
			);
		});
	}
}
