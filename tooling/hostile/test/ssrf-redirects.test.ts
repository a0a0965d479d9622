import { IpBlockedError } from '@homeserver/outbound-http';
import type { OutboundHttp } from '@homeserver/outbound-http';
import { loopbackLookup, startForwardProxy, startHttpServer, startHttpsServer } from '@homeserver/testkit';
import type { DestinationServer, ForwardProxy } from '@homeserver/testkit';
import test from 'ava';
import { CODES, redirectCases } from './helpers/redirect-cases.js';
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

const CASES = redirectCases(
	() => http.port,
	() => https.port,
);

for (const item of CASES) {
	test(`${item.status} ${item.title} is refused before a socket opens to ${item.refused}`, async (t) => {
		const { path, id } = redirectPath(item.status, item.location());
		const server = item.from === 'http' ? http : https;
		const host = item.viaProxy === true ? 'test.com' : '127.0.0.1';
		const start = `${item.from}://${host}:${server.port}${path}`;
		const stack = item.mixed === true ? mixedRoutes : direct;
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
