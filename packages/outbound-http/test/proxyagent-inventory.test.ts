// Synapse's tests/http/test_proxyagent.py inventory (reference synapse-forward-proxy.md 9.1), re-expressed with
// real sockets on loopback: test.com and proxy.test resolve to 127.0.0.1 through an injected lookup.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { ConfigError } from '@homeserver/config';
import type { ForwardProxy } from '@homeserver/testkit';
import { ALLOW_LOOPBACK, basic, configFrom } from './helpers/setup.js';
import { client, destinations, forwardProxy, named, tlsForwardProxy } from './helpers/fixtures.js';

type Env = Record<string, string>;

async function get(t: ExecutionContext, env: Env, yaml: string, url: string): Promise<string> {
	const stack = await client(t, configFrom(env, yaml));
	return stack.client('push').get(url).text();
}

function proxyUrl(proxy: ForwardProxy, credentials = ''): string {
	return proxy.url.replace('//127.0.0.1', `//${credentials}proxy.test`);
}

// Direct connections

test('direct http: no proxy configured, Host is the destination', async (t) => {
	const { http } = await destinations(t);
	t.is(await get(t, {}, ALLOW_LOOPBACK, `${named(http)}/`), 'ok');
	t.like(http.requests[0], { method: 'GET', url: '/' });
	t.is(http.requests[0]?.headers.host, `test.com:${http.port}`);
});

test('direct https: TLS with SNI test.com, path and Host kept', async (t) => {
	const { https } = await destinations(t);
	t.is(await get(t, {}, ALLOW_LOOPBACK, `${named(https)}/abc`), 'ok');
	t.like(https.requests[0], { url: '/abc', servername: 'test.com' });
	t.is(https.requests[0]?.headers.host, `test.com:${https.port}`);
});

test('a configuration from an empty environment goes direct', async (t) => {
	const { http } = await destinations(t);
	t.is(await get(t, { unrelated: 'x' }, ALLOW_LOOPBACK, `${named(http)}/`), 'ok');
	t.is(http.requests.length, 1);
});

// no_proxy bypass

for (const [name, env] of [
	['uppercase NO_PROXY', { http_proxy: 'proxy.test:9', NO_PROXY: 'test.com' }],
	['no_proxy list', { http_proxy: 'proxy.test:9', no_proxy: 'test.com,unused.com' }],
	['no_proxy *', { http_proxy: 'proxy.test:9', no_proxy: '*' }],
] as const) {
	test(`http bypasses the proxy with ${name}`, async (t) => {
		const proxy = await forwardProxy(t);
		const { http } = await destinations(t);
		const env2 = { ...env, http_proxy: proxyUrl(proxy) };
		t.is(await get(t, env2, ALLOW_LOOPBACK, `${named(http)}/`), 'ok');
		t.is(proxy.log.length, 0);
		t.is(http.requests.length, 1);
	});
}

for (const [name, noProxy] of [
	['no_proxy list', 'test.com,unused.com'],
	['no_proxy *', '*'],
] as const) {
	test(`https bypasses the proxy with ${name}, SNI test.com`, async (t) => {
		const proxy = await forwardProxy(t);
		const { https } = await destinations(t);
		t.is(
			await get(t, { https_proxy: proxyUrl(proxy), no_proxy: noProxy }, ALLOW_LOOPBACK, `${named(https)}/`),
			'ok',
		);
		t.is(proxy.log.length, 0);
		t.is(https.requests[0]?.servername, 'test.com');
	});
}

test('YAML no_proxy_hosts bypasses the proxy', async (t) => {
	const proxy = await forwardProxy(t);
	const { http } = await destinations(t);
	const yaml = `${ALLOW_LOOPBACK}http_proxy: "${proxyUrl(proxy)}"\nno_proxy_hosts: [test.com]\n`;
	t.is(await get(t, {}, yaml, `${named(http)}/`), 'ok');
	t.is(proxy.log.length, 0);
});

test('YAML no_proxy_hosts overrides the environment no_proxy', async (t) => {
	const proxy = await forwardProxy(t);
	const { http } = await destinations(t);
	const env = { https_proxy: 'unused.test:9', no_proxy: 'unused.com' };
	const yaml = `${ALLOW_LOOPBACK}http_proxy: "${proxyUrl(proxy)}"\nno_proxy_hosts: [test.com]\n`;
	t.is(await get(t, env, yaml, `${named(http)}/`), 'ok');
	t.is(proxy.log.length, 0);
});

// Plain http through the proxy: absolute form, never CONNECT

async function httpViaProxy(t: ExecutionContext, proxy: ForwardProxy, env: Env, yaml = ''): Promise<void> {
	const { http } = await destinations(t);
	t.is(await get(t, env, yaml, `${named(http)}/path?q=1`), 'ok');
	t.is(proxy.log.length, 1);
	t.like(proxy.log[0], {
		method: 'GET',
		target: `http://test.com:${http.port}/path?q=1`,
		outcome: 'forwarded',
	});
	t.is(proxy.log[0]?.headers.host, `test.com:${http.port}`);
	t.is(proxy.connects, 0);
	t.is(http.requests[0]?.headers['proxy-authorization'], undefined);
}

test('http via proxy (environment): absolute-form request line, Host is the destination, no auth header', async (t) => {
	const proxy = await forwardProxy(t);
	await httpViaProxy(t, proxy, {
		http_proxy: proxyUrl(proxy).replace('http://', ''),
		no_proxy: 'unused.com',
	});
	t.is(proxy.log[0]?.headers['proxy-authorization'], undefined);
});

test('http via proxy from YAML http_proxy', async (t) => {
	const proxy = await forwardProxy(t);
	await httpViaProxy(t, proxy, {}, `http_proxy: "${proxyUrl(proxy)}"`);
});

test('YAML http_proxy overrides the environment', async (t) => {
	const proxy = await forwardProxy(t);
	await httpViaProxy(t, proxy, { http_proxy: 'unused.test:9' }, `http_proxy: "${proxyUrl(proxy)}"`);
});

test('http via proxy with credentials: Proxy-Authorization Basic on the forwarded request only', async (t) => {
	const proxy = await forwardProxy(t, { auth: { username: 'bob', password: 'pinkponies' } });
	await httpViaProxy(t, proxy, { http_proxy: proxyUrl(proxy, 'bob:pinkponies@') });
	t.is(proxy.log[0]?.headers['proxy-authorization'], basic('bob', 'pinkponies'));
	t.is(proxy.log[0]?.authorizedUser, 'bob');
});

test('http via an https proxy: TLS to the proxy verified for proxy.test, then absolute form inside', async (t) => {
	const proxy = await tlsForwardProxy(t);
	await httpViaProxy(t, proxy, { http_proxy: proxyUrl(proxy) });
	t.true(proxy.log[0]?.tls);
	t.is(proxy.log[0]?.headers['proxy-authorization'], undefined);
});

test('http via an https proxy with credentials', async (t) => {
	const proxy = await tlsForwardProxy(t, { auth: { username: 'bob', password: 'pinkponies' } });
	await httpViaProxy(t, proxy, { http_proxy: proxyUrl(proxy, 'bob:pinkponies@') });
	t.is(proxy.log[0]?.authorizedUser, 'bob');
});

// https through the proxy: CONNECT, then TLS with the destination inside the tunnel

async function httpsViaProxy(t: ExecutionContext, proxy: ForwardProxy, env: Env, yaml = ''): Promise<void> {
	const { https } = await destinations(t);
	t.is(await get(t, env, yaml, `${named(https)}/abc`), 'ok');
	t.is(proxy.connects, 1);
	t.like(proxy.log[0], { method: 'CONNECT', target: `test.com:${https.port}`, outcome: 'tunnel' });
	t.is(proxy.log[0]?.headers.host, `test.com:${https.port}`);
	t.like(https.requests[0], { url: '/abc', servername: 'test.com' });
	t.is(https.requests[0]?.headers.host, `test.com:${https.port}`);
	t.is(https.requests[0]?.headers['proxy-authorization'], undefined);
}

test('https via proxy from YAML https_proxy: CONNECT with Host, no auth, SNI test.com inside', async (t) => {
	const proxy = await forwardProxy(t);
	await httpsViaProxy(t, proxy, {}, `https_proxy: "${proxyUrl(proxy)}"`);
	t.is(proxy.log[0]?.headers['proxy-authorization'], undefined);
});

test('YAML https_proxy overrides the environment', async (t) => {
	const proxy = await forwardProxy(t);
	await httpsViaProxy(t, proxy, { https_proxy: 'unused.test:9' }, `https_proxy: "${proxyUrl(proxy)}"`);
});

test('https via proxy from the environment', async (t) => {
	const proxy = await forwardProxy(t);
	await httpsViaProxy(t, proxy, { https_proxy: proxyUrl(proxy) });
});

test('https via proxy with credentials: Basic on the CONNECT, never at the destination', async (t) => {
	const proxy = await forwardProxy(t, { auth: { username: 'bob', password: 'pinkponies' } });
	await httpsViaProxy(t, proxy, { https_proxy: proxyUrl(proxy, 'bob:pinkponies@') });
	t.is(proxy.log[0]?.headers['proxy-authorization'], basic('bob', 'pinkponies'));
});

test('https via an https proxy: TLS-in-TLS, proxy verified as proxy.test, destination as test.com', async (t) => {
	const proxy = await tlsForwardProxy(t);
	await httpsViaProxy(t, proxy, { https_proxy: proxyUrl(proxy) });
	t.true(proxy.log[0]?.tls);
});

test('https via an https proxy with credentials', async (t) => {
	const proxy = await tlsForwardProxy(t, { auth: { username: 'bob', password: 'pinkponies' } });
	await httpsViaProxy(t, proxy, { https_proxy: proxyUrl(proxy, 'bob:pinkponies@') });
	t.is(proxy.log[0]?.authorizedUser, 'bob');
});

// Blocklist interplay: the proxy's own address is never checked

test('http via a proxy whose address (127.0.0.1) is in the blocklist still works', async (t) => {
	const proxy = await forwardProxy(t);
	await httpViaProxy(t, proxy, { http_proxy: proxyUrl(proxy) }, 'ip_range_blacklist: ["127.0.0.0/8"]');
});

test('https via uppercase HTTPS_PROXY whose address is in the blocklist still works', async (t) => {
	const proxy = await forwardProxy(t);
	await httpsViaProxy(t, proxy, { HTTPS_PROXY: proxyUrl(proxy) });
});

// Parsing at construction

test('a proxy without a scheme is plain http; an unsupported scheme fails at start-up, not at the first request', (t) => {
	t.is(configFrom({ https_proxy: 'proxy.test:8888' }).proxy.https?.protocol, 'http:');
	t.is(configFrom({ https_proxy: 'https://proxy.test:8888' }).proxy.https?.protocol, 'https:');
	const error = t.throws(() => configFrom({ https_proxy: 'socks5://proxy.test:8888' }));
	t.true(error instanceof ConfigError);
	t.is((error as ConfigError).code, 'ERR_CONFIG_INVALID');
});
