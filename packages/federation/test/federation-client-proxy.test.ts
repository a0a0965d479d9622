// The proxy cases of Synapse's tests/http/federation/test_matrix_federation_agent.py (reference
// synapse-forward-proxy.md 9.2) with real sockets: `testserv` and `proxy.com` map to 127.0.0.1 through injected
// lookups; the test server's port plays the part of 8448. Each request is verified by the remote homeserver.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { ForwardProxy, RemoteHomeserver } from '@homeserver/testkit';
import {
	basic,
	configFor,
	federationClient,
	forwardProxy,
	ORIGIN,
	proxyUrl,
	remoteServer,
	testPki,
} from './helpers/federation-net.js';

/** A remote `testserv:PORT` answering GET /foo/bar with JSON. */
async function testserv(t: ExecutionContext): Promise<{ server: RemoteHomeserver; name: string }> {
	const server = await remoteServer(t);
	const name = `testserv:${server.port}`;
	server.setServerName(name);
	server.handle('GET', '/foo/bar', () => ({ body: { a: 1 } }));
	return { server, name };
}

async function getFooBar(t: ExecutionContext, env: Record<string, string>, name: string): Promise<void> {
	const { client } = await federationClient(t, await configFor(env));
	const response = await client.request(name, { method: 'GET', path: '/foo/bar' });
	t.is(response.status, 200);
	t.deepEqual(response.body, { a: 1 });
}

/** What the destination must have seen: SNI and Host of testserv, our signature, no proxy credentials. */
function assertDestinationSaw(t: ExecutionContext, server: RemoteHomeserver, name: string): void {
	t.is(server.requests.length, 1);
	t.like(server.requests[0], {
		method: 'GET',
		url: '/foo/bar',
		servername: 'testserv',
		authorization: 'valid',
		origin: ORIGIN,
		status: 200,
	});
	t.is(server.requests[0]?.headers.host, name);
	t.is(server.requests[0]?.headers['proxy-authorization'], undefined);
}

/** What the proxy must have seen: one CONNECT to testserv:PORT with a Host header, and the tunnel opened. */
function assertTunnel(t: ExecutionContext, proxy: ForwardProxy, name: string, authorization?: string): void {
	t.is(proxy.connects, 1);
	t.like(proxy.log[0], { method: 'CONNECT', target: name, outcome: 'tunnel' });
	t.is(proxy.log[0]?.headers.host, name);
	t.is(proxy.log[0]?.headers['proxy-authorization'], authorization);
}

test('test_get: no proxy, explicit port: TLS to testserv with SNI testserv, Host testserv:PORT, signed', async (t) => {
	const { server, name } = await testserv(t);
	await getFooBar(t, {}, name);
	assertDestinationSaw(t, server, name);
	t.is(server.requests[0]?.headers['user-agent'], 'homeserver-outbound-http');
});

test('test_get_bypass_proxy: no_proxy=testserv goes direct although https_proxy is set', async (t) => {
	const proxy = await forwardProxy(t);
	const { server, name } = await testserv(t);
	await getFooBar(t, { https_proxy: proxyUrl(proxy), no_proxy: 'testserv' }, name);
	assertDestinationSaw(t, server, name);
	t.is(proxy.log.length, 0);
	t.is(proxy.connections, 0);
});

test('test_get_via_http_proxy: CONNECT testserv:PORT without credentials, then TLS with SNI testserv inside', async (t) => {
	const proxy = await forwardProxy(t);
	const { server, name } = await testserv(t);
	await getFooBar(t, { https_proxy: proxyUrl(proxy) }, name);
	assertTunnel(t, proxy, name);
	assertDestinationSaw(t, server, name);
});

test('test_get_via_http_proxy: a proxy URL without a port is reached on 1080 (route decision)', async (t) => {
	const { outbound, client } = await federationClient(
		t,
		await configFor({ https_proxy: 'http://proxy.com' }),
	);
	const decision = outbound.route('https://testserv:8448/foo/bar', 'federation');
	t.like(decision, { route: 'proxy', mode: 'tunnel', connect: 'proxy.com:1080' });
	const report = await client.explain('testserv:8448');
	t.like(report.candidates[0], {
		host: 'testserv',
		port: 8448,
		sni: 'testserv',
		hostHeader: 'testserv:8448',
	});
	t.like(report.candidates[0]?.route, {
		route: 'proxy',
		connect: 'proxy.com:1080',
		proxy: 'http://proxy.com:1080',
	});
});

test('test_get_via_http_proxy_with_auth: Basic credentials on the CONNECT only', async (t) => {
	const proxy = await forwardProxy(t, { auth: { username: 'bob', password: 'pinkponies' } });
	const { server, name } = await testserv(t);
	await getFooBar(t, { https_proxy: proxyUrl(proxy, 'bob:pinkponies@') }, name);
	assertTunnel(t, proxy, name, basic('bob', 'pinkponies'));
	t.is(proxy.log[0]?.authorizedUser, 'bob');
	assertDestinationSaw(t, server, name);
});

test('test_get_via_https_proxy: TLS to proxy.com (verified with federation_custom_ca_list), CONNECT, TLS inside', async (t) => {
	const { proxy: proxyTls } = await testPki();
	const proxy = await forwardProxy(t, { tls: proxyTls });
	const { server, name } = await testserv(t);
	await getFooBar(t, { https_proxy: proxyUrl(proxy) }, name);
	assertTunnel(t, proxy, name);
	t.true(proxy.log[0]?.tls);
	assertDestinationSaw(t, server, name);
});

test('test_get_via_https_proxy_with_auth: TLS to the proxy, Basic credentials on the CONNECT only', async (t) => {
	const { proxy: proxyTls } = await testPki();
	const proxy = await forwardProxy(t, { tls: proxyTls, auth: { username: 'bob', password: 'sec ret' } });
	const { server, name } = await testserv(t);
	await getFooBar(t, { https_proxy: proxyUrl(proxy, 'bob:sec%20ret@') }, name);
	assertTunnel(t, proxy, name, basic('bob', 'sec ret'));
	t.true(proxy.log[0]?.tls);
	assertDestinationSaw(t, server, name);
});

test('a 407 from the proxy is ERR_PROXY_AUTH_REQUIRED and no request reaches the destination', async (t) => {
	const proxy = await forwardProxy(t, { auth: { username: 'bob', password: 'right', realm: 'dmz' } });
	const { server, name } = await testserv(t);
	const { client, logs } = await federationClient(
		t,
		await configFor({ https_proxy: proxyUrl(proxy, 'bob:wrong@') }),
	);
	const error = await t.throwsAsync(client.request(name, { method: 'GET', path: '/foo/bar' }));
	t.like(error, { code: 'ERR_PROXY_AUTH_REQUIRED', realm: 'dmz' });
	t.false(error?.message.includes('wrong'));
	t.true(logs.some((line) => line.includes('federation: candidate routed')));
	t.false(logs.some((line) => line.includes('wrong')));
	t.is(server.requests.length, 0);
});
