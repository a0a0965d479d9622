import type { Purpose } from '@homeserver/config';
import { IpBlockedError } from '@homeserver/outbound-http';
import type { OutboundHttp } from '@homeserver/outbound-http';
import { loopbackLookup, startForwardProxy, startHttpServer, startHttpsServer } from '@homeserver/testkit';
import type { DestinationServer, ForwardProxy } from '@homeserver/testkit';
import test from 'ava';
import { redirectHandler, redirectPath } from './helpers/redirector.js';
import { LeakAudit, PROXY_PASSWORD, PROXY_USER } from './helpers/secrets.js';
import { watchConnections } from './helpers/socket-guard.js';
import {
	ALLOW_TEST_SERVERS,
	configFrom,
	mapLookup,
	outboundFor,
	proxyYaml,
	testPki,
} from './helpers/stack.js';
import { registerSuiteChecks } from './helpers/suite-hooks.js';

const audit = new LeakAudit();
registerSuiteChecks(test, audit);

/** Every status got follows: each must be routed and checked again. */
const CODES = [300, 301, 302, 303, 304, 307, 308] as const;
const NAMES = {
	'test.com': ['127.0.0.1'],
	'loop.test': ['127.0.0.2'],
	'internal.test': ['10.0.0.1'],
	'mixed.test': ['127.0.0.1', '10.0.0.1'],
};

let http: DestinationServer;
let https: DestinationServer;
let proxy: ForwardProxy;
let direct: OutboundHttp;
/** Proxied, with the blocked names and 127.0.0.1 exempt, so a hop can change route in either direction. */
let mixedRoutes: OutboundHttp;

test.before(async () => {
	const { destination } = await testPki();
	http = await startHttpServer(redirectHandler);
	https = await startHttpsServer(destination, redirectHandler);
	proxy = await startForwardProxy({
		auth: { username: PROXY_USER, password: PROXY_PASSWORD },
		lookup: loopbackLookup({ 'test.com': '127.0.0.1' }),
	});
	direct = await outboundFor(configFrom(ALLOW_TEST_SERVERS), audit, mapLookup(NAMES));
	const noProxy = 'no_proxy_hosts: ["loop.test", "internal.test", "mixed.test", "127.0.0.1"]\n';
	mixedRoutes = await outboundFor(
		configFrom(ALLOW_TEST_SERVERS + noProxy + proxyYaml(proxy.url)),
		audit,
		mapLookup(NAMES),
	);
});

test.after.always(async () => {
	direct?.close();
	mixedRoutes?.close();
	audit.addRequests('http destination', http.requests);
	audit.addRequests('https destination', https.requests);
	await Promise.all([http?.close(), https?.close(), proxy?.close()]);
});

/** One redirect case: where it starts, what it redirects to, and the address the refusal must name. */
interface RedirectCase {
	readonly title: string;
	readonly from: 'http' | 'https';
	readonly status: number;
	readonly location: () => string;
	readonly refused: string;
	readonly stack?: () => OutboundHttp;
	readonly purpose?: Purpose;
	/** Start through the proxy (a name only the proxy resolves) rather than at 127.0.0.1 directly. */
	readonly viaProxy?: boolean;
}

const hp = (): number => http.port;
const sp = (): number => https.port;

const CASES: RedirectCase[] = [];
for (const status of CODES) {
	CASES.push(
		{
			title: 'http -> http literal',
			from: 'http',
			status,
			location: () => `http://127.0.0.2:${hp()}/x`,
			refused: '127.0.0.2',
		},
		{
			title: 'http -> https literal',
			from: 'http',
			status,
			location: () => `https://127.0.0.2:${sp()}/x`,
			refused: '127.0.0.2',
		},
		{
			title: 'https -> http literal',
			from: 'https',
			status,
			location: () => `http://127.0.0.2:${hp()}/x`,
			refused: '127.0.0.2',
		},
		{
			title: 'https -> https IPv6 loopback',
			from: 'https',
			status,
			location: () => `https://[::1]:${sp()}/x`,
			refused: '::1',
		},
		{
			title: 'http -> name of a blocked address',
			from: 'http',
			status,
			location: () => `http://loop.test:${hp()}/`,
			refused: '127.0.0.2',
		},
	);
}
CASES.push(
	{
		title: 'scheme-relative Location',
		from: 'http',
		status: 302,
		location: () => `//127.0.0.2:${hp()}/x`,
		refused: '127.0.0.2',
	},
	{
		title: 'backslash-relative Location',
		from: 'http',
		status: 302,
		location: () => `/\\127.0.0.2:${hp()}/x`,
		refused: '127.0.0.2',
	},
	{
		title: 'upper case and trailing dot',
		from: 'https',
		status: 302,
		location: () => `HTTP://LOOP.TEST.:${hp()}/`,
		refused: '127.0.0.2',
	},
	{
		title: 'decimal address',
		from: 'http',
		status: 307,
		location: () => `http://2130706434:${hp()}/`,
		refused: '127.0.0.2',
	},
	{
		title: 'hex short form',
		from: 'https',
		status: 308,
		location: () => `https://0x7f.2:${sp()}/`,
		refused: '127.0.0.2',
	},
	{
		title: 'IPv4-mapped IPv6',
		from: 'http',
		status: 303,
		location: () => `http://[::ffff:127.0.0.2]:${hp()}/`,
		refused: '127.0.0.2',
	},
	{
		title: 'cloud metadata',
		from: 'http',
		status: 302,
		location: () => 'http://169.254.169.254/latest/meta-data/',
		refused: '169.254.169.254',
	},
	{
		title: 'NAT64 metadata',
		from: 'https',
		status: 307,
		location: () => 'https://[64:ff9b::a9fe:a9fe]/',
		refused: '64:ff9b::a9fe:a9fe',
	},
	{
		title: 'name of a private address',
		from: 'https',
		status: 301,
		location: () => 'https://internal.test/',
		refused: '10.0.0.1',
	},
	{
		title: 'name with a mix of addresses',
		from: 'http',
		status: 302,
		location: () => `http://mixed.test:${hp()}/`,
		refused: '10.0.0.1',
	},
	{
		title: 'second hop of a chain',
		from: 'http',
		status: 302,
		location: () => redirectPath(307, `http://127.0.0.2:${hp()}/x`).path,
		refused: '127.0.0.2',
	},
	// Route changes: proxied first hop, direct second hop (and the reverse).
	...(['push', 'media_redirect', 'federation'] as const).map((purpose): RedirectCase => ({
		title: `proxied -> direct (no_proxy name), ${purpose}`,
		from: 'https',
		status: 302,
		location: () => `http://loop.test:${hp()}/`,
		refused: '127.0.0.2',
		stack: () => mixedRoutes,
		purpose,
		viaProxy: true,
	})),
	{
		title: 'proxied -> direct (IP literal)',
		from: 'https',
		status: 307,
		location: () => `http://127.0.0.2:${hp()}/`,
		refused: '127.0.0.2',
		stack: () => mixedRoutes,
		viaProxy: true,
	},
	{
		title: 'direct -> proxied tunnel (IP literal)',
		from: 'http',
		status: 302,
		location: () => 'https://10.0.0.1/',
		refused: '10.0.0.1',
		stack: () => mixedRoutes,
	},
	{
		title: 'direct -> proxied forward (IP literal)',
		from: 'http',
		status: 301,
		location: () => 'http://[fd00::1]/',
		refused: 'fd00::1',
		stack: () => mixedRoutes,
	},
	{
		title: 'direct -> proxied (metadata)',
		from: 'https',
		status: 308,
		location: () => 'https://169.254.169.254/',
		refused: '169.254.169.254',
		stack: () => mixedRoutes,
	},
	{
		title: 'direct -> direct name, proxied config',
		from: 'http',
		status: 303,
		location: () => `http://internal.test:${hp()}/`,
		refused: '10.0.0.1',
		stack: () => mixedRoutes,
	},
);

for (const item of CASES) {
	test(`${item.status} ${item.title} is refused before a socket opens to ${item.refused}`, async (t) => {
		const { path, id } = redirectPath(item.status, item.location());
		const server = item.from === 'http' ? http : https;
		const host = item.viaProxy === true ? 'test.com' : '127.0.0.1';
		const start = `${item.from}://${host}:${server.port}${path}`;
		const stack = item.stack?.() ?? direct;
		const proxyBefore = proxy.log.length;
		const { error, attempts } = await watchConnections(() => stack.client(item.purpose ?? 'push').get(start));
		audit.addError(start, error);
		t.true(error instanceof IpBlockedError, String(error));
		t.is((error as IpBlockedError).address, item.refused);
		const hops = server.requests.filter(
			(request) => new URL(request.url, 'http://x').searchParams.get('id') === id,
		);
		t.is(hops.length, 1, 'the first hop reached the server');
		const reached = attempts.flatMap((attempt) => attempt.addresses);
		t.true(
			reached.every((address) => address === '127.0.0.1'),
			`connections went to ${reached.join(', ')}`,
		);
		const asked = proxy.log.slice(proxyBefore).map((entry) => entry.target);
		t.false(
			asked.some((target) => target.includes(item.refused)),
			`the proxy was asked for ${asked.join(', ')}`,
		);
		if (item.viaProxy === true) t.true(asked.length >= 1, 'the first hop went through the proxy');
	});
}

test('the redirect table covers every followed status and every scheme and route change', (t) => {
	t.true(CASES.length >= 50, `${CASES.length} cases`);
	for (const status of CODES) t.true(CASES.some((item) => item.status === status));
});
