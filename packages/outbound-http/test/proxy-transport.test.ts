// Reaching the proxy: unreachable, stalled, TLS to an https proxy, IPv6 proxies and targets.
import test from 'ava';
import { closedPort, createCertificateAuthority } from '@homeserver/testkit';
import type { OutboundHttpError } from '../src/index.js';
import { ALLOW_LOOPBACK, configFrom } from './helpers/setup.js';
import { client, destinations, forwardProxy, named, tlsForwardProxy } from './helpers/fixtures.js';
import { failure, proxyUrl } from './helpers/failure.js';
import { rawProxy } from './helpers/raw-proxy.js';

test('an unreachable proxy is ERR_PROXY_UNREACHABLE, for tunnels and for forwarded requests', async (t) => {
	const port = await closedPort();
	const { http, https } = await destinations(t);
	const env = { https_proxy: `http://proxy.test:${port}`, http_proxy: `http://proxy.test:${port}` };
	const tunnel = await failure(t, env, `${named(https)}/`);
	t.is(tunnel.code, 'ERR_PROXY_UNREACHABLE');
	t.regex(tunnel.message, /ECONNREFUSED/);
	const forward = await failure(t, env, `${named(http)}/`);
	t.is(forward.code, 'ERR_PROXY_UNREACHABLE');
});

test('a proxy that accepts TCP and then says nothing times out with ERR_PROXY_TIMEOUT', async (t) => {
	const proxy = await forwardProxy(t, { stallAfterAccept: true });
	const { https } = await destinations(t);
	const error = await failure(t, { https_proxy: proxyUrl(proxy) }, `${named(https)}/`, {
		timeouts: { proxy: 300 },
	});
	t.is(error.code, 'ERR_PROXY_TIMEOUT');
	t.regex(error.message, /did not open a tunnel to test\.com:\d+ within 300 ms/);
});

test('an https proxy that stalls in its TLS handshake times out with ERR_PROXY_TIMEOUT', async (t) => {
	const proxy = await tlsForwardProxy(t, { stallAfterAccept: true });
	const { http } = await destinations(t);
	const error = await failure(t, { http_proxy: proxyUrl(proxy) }, `${named(http)}/`, {
		timeouts: { proxy: 300 },
	});
	t.is(error.code, 'ERR_PROXY_TIMEOUT');
});

test('a proxy that answers 200 and then forwards nothing times out in the TLS handshake, naming the proxy', async (t) => {
	const proxy = await forwardProxy(t, {
		stallAfterConnect: true,
		auth: { username: 'bob', password: 'pinkponies', realm: 'Corporate Proxy' },
	});
	const { https } = await destinations(t);
	const error = await failure(t, { https_proxy: proxyUrl(proxy, 'bob:pinkponies@') }, `${named(https)}/`, {
		timeouts: { proxy: 10_000, secureConnect: 300 },
	});
	t.is(error.code, 'ERR_TIMEOUT');
	t.like(error, { phase: 'secureConnect', proxy: `http://bob:***@proxy.test:${proxy.port}` });
	t.regex(
		error.message,
		new RegExp(
			`request to https://test\\.com:${https.port} through proxy http://bob:\\*\\*\\*@proxy\\.test:${proxy.port} ` +
				`timed out \\(secureConnect\\)`,
		),
	);
	t.regex(error.message, /TLS with the destination inside the tunnel did not complete within 300 ms/);
});

test('a forward proxy that never answers the request hits the response timeout', async (t) => {
	const port = await rawProxy(t, () => undefined);
	const { http } = await destinations(t);
	const error = await failure(t, { http_proxy: `http://proxy.test:${port}` }, `${named(http)}/`, {
		timeouts: { response: 300 },
	});
	t.is(error.code, 'ERR_TIMEOUT');
	t.like(error, { phase: 'response' });
});

test('an https proxy with an untrusted certificate is ERR_PROXY_TLS, pointing at the certificate and the testing switch', async (t) => {
	const stranger = await createCertificateAuthority();
	const proxy = await forwardProxy(t, { tls: await stranger.issue({ dnsNames: ['proxy.test'] }) });
	const error = await failure(t, { https_proxy: proxyUrl(proxy) }, 'https://test.com/');
	t.is(error.code, 'ERR_PROXY_TLS');
	t.regex(error.message, /Check the proxy's certificate/);
	t.regex(error.message, /use_insecure_ssl_client_just_for_testing_do_not_use/);
	t.is(proxy.log.length, 0);
});

test('for federation the proxy TLS hint names federation_custom_ca_list', async (t) => {
	const stranger = await createCertificateAuthority();
	const proxy = await forwardProxy(t, { tls: await stranger.issue({ dnsNames: ['proxy.test'] }) });
	const error = await failure(
		t,
		{ https_proxy: proxyUrl(proxy) },
		'https://test.com:8448/',
		{},
		'federation',
	);
	t.is(error.code, 'ERR_PROXY_TLS');
	t.regex(error.message, /federation_custom_ca_list/);
});

test('the https proxy certificate is checked against the proxy host name', async (t) => {
	const proxy = await tlsForwardProxy(t); // certificate for proxy.test and loopback, not other.test
	const error = await failure(
		t,
		{ https_proxy: proxy.url.replace('127.0.0.1', 'other.test') },
		'https://test.com/',
	);
	t.is(error.code, 'ERR_PROXY_TLS');
	t.regex(error.message, /valid for "other\.test"/);
});

test('TLS to a proxy that speaks plain http is ERR_PROXY_TLS', async (t) => {
	const proxy = await forwardProxy(t);
	const error = await failure(
		t,
		{ https_proxy: proxyUrl(proxy).replace('http:', 'https:') },
		'https://test.com/',
	);
	t.is(error.code, 'ERR_PROXY_TLS');
});

test('use_insecure_ssl_client_just_for_testing_do_not_use skips certificate checks on both hops', async (t) => {
	const stranger = await createCertificateAuthority();
	const proxy = await forwardProxy(t, { tls: await stranger.issue({ dnsNames: ['elsewhere.test'] }) });
	const { https } = await destinations(t);
	const config = configFrom(
		{ https_proxy: proxyUrl(proxy) },
		'use_insecure_ssl_client_just_for_testing_do_not_use: true',
	);
	t.true(
		config.warnings.some((warning) =>
			warning.includes('use_insecure_ssl_client_just_for_testing_do_not_use'),
		),
	);
	const stack = await client(t, config, { ca: [] });
	t.is(
		await stack
			.client('push')
			.get(`${named(https)}/`)
			.text(),
		'ok',
	);
});

test('an https destination with an untrusted certificate through the tunnel is ERR_DESTINATION_TLS', async (t) => {
	const proxy = await forwardProxy(t);
	const { https } = await destinations(t);
	const stack = await client(t, configFrom({ https_proxy: proxyUrl(proxy) }), { ca: [] });
	const error = await t.throwsAsync(
		stack
			.client('push')
			.get(`${named(https)}/`)
			.text(),
	);
	t.is((error as OutboundHttpError).code, 'ERR_DESTINATION_TLS');
	t.is(https.requests.length, 0);
});

test('TLS options that fail synchronously inside the tunnel reject instead of hanging (hpagent#113)', async (t) => {
	const proxy = await forwardProxy(t);
	const { https } = await destinations(t);
	const stack = await client(t, configFrom({ https_proxy: proxyUrl(proxy) }));
	const error = await t.throwsAsync(
		stack
			.client('push')
			.get(`${named(https)}/`, { https: { ciphers: 'NO-SUCH-CIPHER' } })
			.text(),
	);
	t.is((error as OutboundHttpError).code, 'ERR_DESTINATION_TLS');
	t.regex(error.message, /cipher/i);
	t.is(proxy.connects, 1);
});

test('an IPv6 proxy ([::1]) carries a CONNECT to a bracketed IPv6 target', async (t) => {
	const proxy = await forwardProxy(t, { host: '::1' });
	const { https } = await destinations(t, undefined, '::1');
	const stack = await client(t, configFrom({ https_proxy: proxy.url }, ALLOW_LOOPBACK));
	t.is(await stack.client('push').get(`https://[::1]:${https.port}/v6`).text(), 'ok');
	t.like(proxy.log[0], { method: 'CONNECT', target: `[::1]:${https.port}` });
	t.is(proxy.log[0]?.headers.host, `[::1]:${https.port}`);
	t.like(https.requests[0], { url: '/v6', servername: undefined });
});

test('an IPv6 proxy forwards plain http to an IPv6 target in absolute form', async (t) => {
	const proxy = await forwardProxy(t, { host: '::1' });
	const { http } = await destinations(t, undefined, '::1');
	const stack = await client(t, configFrom({ http_proxy: proxy.url }, ALLOW_LOOPBACK));
	t.is(await stack.client('push').get(`http://[::1]:${http.port}/v6`).text(), 'ok');
	t.is(proxy.log[0]?.target, `http://[::1]:${http.port}/v6`);
});

test('an IPv6 target name through an IPv6-named proxy (proxy6.test) works', async (t) => {
	const proxy = await forwardProxy(t, { host: '::1' });
	const { https } = await destinations(t, undefined, '::1');
	const stack = await client(t, configFrom({ https_proxy: `http://proxy6.test:${proxy.port}` }));
	t.is(await stack.client('push').get(`https://v6.test:${https.port}/`).text(), 'ok');
	t.is(proxy.log[0]?.target, `v6.test:${https.port}`);
	t.is(https.requests[0]?.servername, 'v6.test');
});
