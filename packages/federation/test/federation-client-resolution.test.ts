// Resolution over real sockets (reference synapse-forward-proxy.md 9.2): `.well-known` (port 443 mapped to the test
// server's port), SRV from a test DNS, IDNA, IP literals, SRV fallback, and a delegation to a blocked IP literal.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { closedPort } from '@homeserver/testkit';
import type { ForwardProxy, RemoteHomeserver } from '@homeserver/testkit';
import {
	configFor,
	federationClient,
	forwardProxy,
	ORIGIN,
	proxyUrl,
	remoteServer,
} from './helpers/federation-net.js';
import type { TestClient } from './helpers/federation-net.js';

const srv = (name: string, port: number, priority = 0) => ({ name, port, priority, weight: 0 });

/** `testserv` delegating to `target-server`, whose `_matrix-fed._tcp` SRV record points at srvtarget:PORT. */
async function delegated(
	t: ExecutionContext,
	proxy?: ForwardProxy,
): Promise<{ server: RemoteHomeserver; net: TestClient }> {
	const server = await remoteServer(t, { wellKnown: { 'm.server': 'target-server' } });
	server.handle('GET', '/foo/bar', () => ({ body: { ok: true } }));
	const env: Record<string, string> = proxy === undefined ? {} : { https_proxy: proxyUrl(proxy) };
	const net = await federationClient(t, await configFor(env), {
		wellKnownPort: server.port,
		srv: { '_matrix-fed._tcp.target-server': [srv('srvtarget', server.port)] },
	});
	return { server, net };
}

test('test_get_well_known_srv: .well-known → SRV → srvtarget, with SNI and Host the delegated name', async (t) => {
	const { server, net } = await delegated(t);
	t.deepEqual((await net.client.request('testserv', { method: 'GET', path: '/foo/bar' })).body, { ok: true });
	t.like(server.requests[0], { url: '/.well-known/matrix/server', servername: 'testserv', status: 200 });
	t.is(server.requests[0]?.headers.host, 'testserv');
	t.like(server.requests[1], {
		url: '/foo/bar',
		servername: 'target-server',
		authorization: 'valid',
		origin: ORIGIN,
	});
	t.is(server.requests[1]?.headers.host, 'target-server');
	t.deepEqual(net.dns.queries, [{ type: 'SRV', name: '_matrix-fed._tcp.target-server' }]);
	t.deepEqual(net.lookup.calls, ['testserv', 'srvtarget']);
});

test('the same through the proxy: .well-known and the request both tunnel, the proxy resolves every name', async (t) => {
	const proxy = await forwardProxy(t);
	const { server, net } = await delegated(t, proxy);
	await net.client.request('testserv', { method: 'GET', path: '/foo/bar' });
	t.deepEqual(
		proxy.log.map((entry) => [entry.method, entry.target, entry.outcome]),
		[
			['CONNECT', `testserv:${server.port}`, 'tunnel'],
			['CONNECT', `srvtarget:${server.port}`, 'tunnel'],
		],
	);
	t.like(server.requests[1], { servername: 'target-server', authorization: 'valid' });
	t.is(server.requests[1]?.headers.host, 'target-server');
	t.deepEqual(net.lookup.calls, ['proxy.com', 'proxy.com']);
});

test('no_proxy is matched against the SRV target actually connected to, not the server name', async (t) => {
	const proxy = await forwardProxy(t);
	const server = await remoteServer(t);
	server.handle('GET', '/foo/bar', () => ({ body: {} }));
	const config = await configFor({ https_proxy: proxyUrl(proxy), no_proxy: 'srvtarget' });
	const net = await federationClient(t, config, {
		wellKnownPort: server.port,
		srv: { '_matrix-fed._tcp.testserv': [srv('srvtarget', server.port)] },
	});
	await net.client.request('testserv', { method: 'GET', path: '/foo/bar' });
	t.deepEqual(
		proxy.log.map((entry) => entry.target),
		[`testserv:${server.port}`],
	);
	t.like(server.requests.at(-1), { url: '/foo/bar', servername: 'testserv', authorization: 'valid' });
	// We resolved srvtarget ourselves and opened a connection of our own to it.
	t.deepEqual(net.lookup.calls, ['proxy.com', 'srvtarget']);
	t.not(server.requests.at(-1)?.connection, server.requests[0]?.connection);
});

test('test_get_hostname_srv_legacy: no .well-known, no _matrix-fed record: the _matrix record is used', async (t) => {
	const server = await remoteServer(t);
	server.handle('GET', '/foo/bar', () => ({ body: {} }));
	const net = await federationClient(t, await configFor(), {
		wellKnownPort: server.port,
		srv: { '_matrix._tcp.testserv': [srv('srvtarget', server.port)] },
	});
	await net.client.request('testserv', { method: 'GET', path: '/foo/bar' });
	t.like(server.requests[0], { url: '/.well-known/matrix/server', status: 404 });
	t.like(server.requests[1], { url: '/foo/bar', servername: 'testserv', authorization: 'valid' });
	t.is(server.requests[1]?.headers.host, 'testserv');
	t.deepEqual(
		net.dns.queries.map((query) => query.name),
		['_matrix-fed._tcp.testserv', '_matrix._tcp.testserv'],
	);
});

test('test_srv_fallbacks: a dead first SRV target falls back to the second, direct and through the proxy', async (t) => {
	const dead = await closedPort();
	for (const proxied of [false, true]) {
		const proxy = proxied ? await forwardProxy(t) : undefined;
		const server = await remoteServer(t);
		server.handle('GET', '/foo/bar', () => ({ body: {} }));
		const config = await configFor(proxy === undefined ? {} : { https_proxy: proxyUrl(proxy) });
		const net = await federationClient(t, config, {
			wellKnownPort: server.port,
			srv: { '_matrix-fed._tcp.testserv': [srv('srvtarget', dead, 0), srv('srvtarget2', server.port, 1)] },
		});
		await net.client.request('testserv', { method: 'GET', path: '/foo/bar' });
		t.like(server.requests.at(-1), { url: '/foo/bar', servername: 'testserv', authorization: 'valid' });
		const failed = net.logs
			.map((line) => JSON.parse(line))
			.find((entry) => entry.msg === 'federation: candidate failed');
		t.is(failed?.code, proxied ? 'ERR_PROXY_REFUSED' : 'ERR_DESTINATION_UNREACHABLE');
		if (proxy !== undefined) {
			t.deepEqual(
				proxy.log.map((entry) => [entry.target, entry.outcome]),
				[
					[`testserv:${server.port}`, 'tunnel'],
					[`srvtarget:${dead}`, 'upstream-error'],
					[`srvtarget2:${server.port}`, 'tunnel'],
				],
			);
		}
	}
});

for (const proxied of [false, true]) {
	test(`a .well-known delegation to the IP literal 10.0.0.1:8448 is refused with ERR_IP_BLOCKED (${proxied ? 'proxied' : 'direct'})`, async (t) => {
		const proxy = proxied ? await forwardProxy(t) : undefined;
		const server = await remoteServer(t, { wellKnown: { 'm.server': '10.0.0.1:8448' } });
		const config = await configFor(proxy === undefined ? {} : { https_proxy: proxyUrl(proxy) });
		const net = await federationClient(t, config, { wellKnownPort: server.port });
		const error = await t.throwsAsync(net.client.request('testserv', { method: 'GET', path: '/foo/bar' }));
		t.like(error, { code: 'ERR_IP_BLOCKED', address: '10.0.0.1', range: '10.0.0.0/8' });
		// Only the .well-known request left this process; nothing asked for or connected to 10.0.0.1.
		t.deepEqual(
			server.requests.map((request) => request.url),
			['/.well-known/matrix/server'],
		);
		t.false(net.lookup.calls.includes('10.0.0.1'));
		if (proxy !== undefined) {
			t.deepEqual(
				proxy.log.map((entry) => entry.target),
				[`testserv:${server.port}`],
			);
			t.deepEqual(proxy.refused, []);
		}
		const report = await net.client.explain('testserv');
		t.like(report.candidates[0], { host: '10.0.0.1', port: 8448, sni: null, hostHeader: '10.0.0.1:8448' });
		t.like(report.candidates[0]?.route, { route: 'blocked', connect: null });
	});
}

test('test_get_ip_address: an IP-literal server name gets no SNI and Host is the literal with its port', async (t) => {
	for (const host of ['127.0.0.1', '::1'] as const) {
		const server = await remoteServer(t, { host });
		const name = host === '::1' ? `[::1]:${server.port}` : `127.0.0.1:${server.port}`;
		server.setServerName(name);
		server.handle('GET', '/foo/bar', () => ({ body: {} }));
		const net = await federationClient(t, await configFor());
		await net.client.request(name, { method: 'GET', path: '/foo/bar' });
		t.like(server.requests[0], { servername: undefined, authorization: 'valid' });
		t.is(server.requests[0]?.headers.host, name);
		t.deepEqual(net.lookup.calls, []);
	}
});

test('test_idna_servername: a Unicode delegation is used in its IDNA form for DNS, SNI and Host', async (t) => {
	const server = await remoteServer(t);
	server.setWellKnown({ 'm.server': `bücher.com:${server.port}` });
	server.handle('GET', '/foo/bar', () => ({ body: {} }));
	const net = await federationClient(t, await configFor(), { wellKnownPort: server.port });
	await net.client.request('testserv', { method: 'GET', path: '/foo/bar' });
	t.like(server.requests[1], { servername: 'xn--bcher-kva.com', authorization: 'valid' });
	t.is(server.requests[1]?.headers.host, `xn--bcher-kva.com:${server.port}`);
	t.deepEqual(net.lookup.calls, ['testserv', 'xn--bcher-kva.com']);
});

test('explain() reports the steps, the .well-known route and each candidate route, as text and JSON', async (t) => {
	const proxy = await forwardProxy(t, { auth: { username: 'bob', password: 'hunter2' } });
	const server = await remoteServer(t, { wellKnown: { 'm.server': 'target-server' } });
	const config = await configFor({ https_proxy: proxyUrl(proxy, 'bob:hunter2@'), no_proxy: 'srvtarget2' });
	const net = await federationClient(t, config, {
		wellKnownPort: server.port,
		srv: { '_matrix-fed._tcp.target-server': [srv('srvtarget', 8443, 0), srv('srvtarget2', 8444, 1)] },
	});
	const report = await net.client.explain('testserv');
	t.is(report.error, null);
	t.like(report.wellKnownRoute, {
		route: 'proxy',
		mode: 'tunnel',
		url: 'https://testserv/.well-known/matrix/server',
	});
	t.regex(report.steps.join('\n'), /m\.server "target-server"/);
	t.deepEqual(
		report.candidates.map((c) => [c.host, c.port, c.sni, c.hostHeader, c.route.route, c.route.connect]),
		[
			['srvtarget', 8443, 'target-server', 'target-server', 'proxy', `proxy.com:${proxy.port}`],
			['srvtarget2', 8444, 'target-server', 'target-server', 'direct', 'srvtarget2:8444'],
		],
	);
	const text = (await import('../src/index.js')).formatResolutionReport(report);
	t.regex(text, /Candidates, in the order they are tried:\n {2}1\. connect to srvtarget:8443/);
	t.regex(text, /route: direct to srvtarget2:8444 \(no_proxy entry 'srvtarget2'/);
	const json = JSON.stringify(report);
	t.false(json.includes('hunter2'));
	t.false(text.includes('hunter2'));
	t.true(json.includes('bob:***@proxy.com'));
});

test('explain() of a name that cannot be resolved reports the error instead of throwing', async (t) => {
	const net = await federationClient(t, await configFor());
	const report = await net.client.explain('bad name');
	t.like(report.error, { code: 'ERR_SERVER_NAME_INVALID' });
	t.deepEqual(report.candidates, []);
});
