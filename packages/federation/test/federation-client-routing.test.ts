import test from 'ava';
import type { Config } from '@homeserver/config';
import { closedPort } from '@homeserver/testkit';
import { routerFor } from '@homeserver/outbound-http';
import {
	configFor,
	federationClient,
	forwardProxy,
	proxyUrl,
	remoteServer,
} from './helpers/federation-net.js';

const srv = (name: string, port: number, priority = 0) => ({ name, port, priority, weight: 0 });

/**
 * Counts the route computations of a configuration's router (the one the outbound stack's routing hook and
 * `outbound.route` both use: routers are cached per configuration object).
 */
function countRoutes(config: Config): { readonly urls: string[] } {
	const router = routerFor(config);
	const route = router.route.bind(router);
	const urls: string[] = [];
	router.route = (url, purpose) => {
		urls.push(String(url));
		return route(url, purpose);
	};
	return { urls };
}

const routedLines = (logs: readonly string[]): { route: string; connect: string | null; target: string }[] =>
	logs.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'federation: candidate routed');

for (const proxied of [false, true]) {
	test(`each hop is routed once: the candidates' decisions come from the routing hook (${proxied ? 'proxied' : 'direct'})`, async (t) => {
		const dead = await closedPort();
		const proxy = proxied ? await forwardProxy(t) : undefined;
		const server = await remoteServer(t);
		server.handle('GET', '/foo/bar', () => ({ body: {} }));
		const config = await configFor(proxy === undefined ? {} : { https_proxy: proxyUrl(proxy) });
		const routes = countRoutes(config);
		const net = await federationClient(t, config, {
			wellKnownPort: server.port,
			srv: { '_matrix-fed._tcp.testserv': [srv('srvtarget', dead, 0), srv('srvtarget2', server.port, 1)] },
		});
		await net.client.request('testserv', { method: 'GET', path: '/foo/bar' });
		// The .well-known fetch, then one decision per candidate: the dead first target and the second.
		t.deepEqual(routes.urls, [
			`https://testserv:${server.port}/.well-known/matrix/server`,
			`https://srvtarget:${dead}/foo/bar`,
			`https://srvtarget2:${server.port}/foo/bar`,
		]);
		const counted = await net.outbound.metrics.requests.get();
		t.is(
			counted.values.reduce((sum, value) => sum + value.value, 0),
			3,
			'the hook counted each hop once',
		);
		t.deepEqual(
			routedLines(net.logs).map((entry) => [entry.target, entry.route]),
			[
				[`srvtarget:${dead}`, proxied ? 'proxy' : 'direct'],
				[`srvtarget2:${server.port}`, proxied ? 'proxy' : 'direct'],
			],
		);
	});
}

test('a blocked candidate is refused by the routing hook with the one decision that is logged', async (t) => {
	const server = await remoteServer(t, { wellKnown: { 'm.server': '10.0.0.1:8448' } });
	const config = await configFor();
	const routes = countRoutes(config);
	const net = await federationClient(t, config, { wellKnownPort: server.port });
	const error = await t.throwsAsync(net.client.request('testserv', { method: 'GET', path: '/foo/bar' }));
	t.like(error, { code: 'ERR_IP_BLOCKED', address: '10.0.0.1', range: '10.0.0.0/8' });
	t.deepEqual(routes.urls, [
		`https://testserv:${server.port}/.well-known/matrix/server`,
		'https://10.0.0.1:8448/foo/bar',
	]);
	t.deepEqual(
		routedLines(net.logs).map((entry) => [entry.target, entry.route, entry.connect]),
		[['10.0.0.1:8448', 'blocked', null]],
	);
});
