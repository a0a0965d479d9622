// How we handle what a proxy answers to CONNECT (and to absolute-form requests): typed errors, never a hang.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { ForwardProxy } from '@homeserver/testkit';
import { OutboundHttpError, ProxyAuthRequiredError, ProxyError, ProxyRefusedError } from '../src/index.js';
import { configFrom } from './helpers/setup.js';
import { client, destinations, forwardProxy, named } from './helpers/fixtures.js';
import { failure, proxyUrl } from './helpers/failure.js';
import { rawProxy } from './helpers/raw-proxy.js';

async function authProxy(t: ExecutionContext): Promise<ForwardProxy> {
	return forwardProxy(t, { auth: { username: 'bob', password: 'pinkponies', realm: 'Corporate Proxy' } });
}

test('a 407 to CONNECT without credentials names the proxy and its realm and says to add credentials', async (t) => {
	const proxy = await authProxy(t);
	const { https } = await destinations(t);
	const error = await failure(t, { https_proxy: proxyUrl(proxy) }, `${named(https)}/`);
	t.true(error instanceof ProxyAuthRequiredError);
	t.is(error.code, 'ERR_PROXY_AUTH_REQUIRED');
	t.is((error as ProxyAuthRequiredError).realm, 'Corporate Proxy');
	t.regex(error.message, /proxy\.test/);
	t.regex(error.message, /realm "Corporate Proxy"/);
	t.regex(error.message, /add user:password@/);
	t.is(https.requests.length, 0);
});

test('a 407 to CONNECT with wrong credentials says they were rejected, without showing the password', async (t) => {
	const proxy = await authProxy(t);
	const { https } = await destinations(t);
	const error = await failure(
		t,
		{ https_proxy: proxyUrl(proxy, 'bob:wrong-pinkponies@') },
		`${named(https)}/`,
	);
	t.is(error.code, 'ERR_PROXY_AUTH_REQUIRED');
	t.regex(error.message, /rejected the user name and password/);
	t.regex(error.message, /bob:\*\*\*@proxy\.test/);
});

test('a 407 to an absolute-form http request is also ERR_PROXY_AUTH_REQUIRED with the realm', async (t) => {
	const proxy = await authProxy(t);
	const { http } = await destinations(t);
	const error = await failure(t, { http_proxy: proxyUrl(proxy) }, `${named(http)}/`);
	t.true(error instanceof ProxyAuthRequiredError);
	t.is((error as ProxyAuthRequiredError).realm, 'Corporate Proxy');
});

for (const status of [403, 502, 503]) {
	test(`a ${status} to CONNECT is ERR_PROXY_REFUSED with the status`, async (t) => {
		const proxy = await forwardProxy(t, { connectStatus: status });
		const { https } = await destinations(t);
		const error = await failure(t, { https_proxy: proxyUrl(proxy) }, `${named(https)}/`);
		t.true(error instanceof ProxyRefusedError);
		t.is((error as ProxyRefusedError).statusCode, status);
		t.regex(error.message, new RegExp(`refused CONNECT test\\.com:${https.port}: ${status}`));
	});
}

test('any 2xx to CONNECT opens the tunnel (201 here)', async (t) => {
	const proxy = await forwardProxy(t, { connectStatus: 201 });
	const { https } = await destinations(t);
	const stack = await client(t, configFrom({ https_proxy: proxyUrl(proxy) }));
	t.is(
		await stack
			.client('push')
			.get(`${named(https)}/`)
			.text(),
		'ok',
	);
});

test('a proxy that closes the connection instead of answering CONNECT is ERR_PROXY_PROTOCOL', async (t) => {
	const port = await rawProxy(t, (socket) => socket.once('data', () => socket.end()));
	const error = await failure(t, { https_proxy: `http://proxy.test:${port}` }, 'https://test.com/');
	t.is(error.code, 'ERR_PROXY_PROTOCOL');
	t.regex(error.message, /closed the connection before answering/);
});

for (const when of ['right after its 200', 'when TLS through the tunnel starts'] as const) {
	test(`a proxy that closes the tunnel ${when} is ERR_PROXY_PROTOCOL naming the proxy`, async (t) => {
		const port = await rawProxy(t, (socket) =>
			socket.once('data', () => {
				socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
				if (when === 'right after its 200') socket.end();
				else socket.once('data', () => socket.end());
			}),
		);
		const error = await failure(
			t,
			{ https_proxy: `http://bob:pinkponies@proxy.test:${port}` },
			'https://test.com/',
		);
		t.true(error instanceof ProxyError);
		t.is(error.code, 'ERR_PROXY_PROTOCOL');
		t.is((error as ProxyError).proxy, `http://bob:***@proxy.test:${port}`);
		t.regex(error.message, /proxy http:\/\/bob:\*\*\*@proxy\.test:\d+ closed the tunnel to test\.com:443/);
	});
}

test('a CONNECT answer that is not HTTP is ERR_PROXY_PROTOCOL', async (t) => {
	const port = await rawProxy(t, (socket) =>
		socket.once('data', () => socket.write('SSH-2.0-OpenSSH_9.6\r\n\r\n')),
	);
	const error = await failure(t, { https_proxy: `http://proxy.test:${port}` }, 'https://test.com/');
	t.is(error.code, 'ERR_PROXY_PROTOCOL');
	t.regex(error.message, /not HTTP/);
});

test('an endless CONNECT reply head is cut off at 16 KiB', async (t) => {
	const port = await rawProxy(t, (socket) =>
		socket.once('data', () => socket.write(`HTTP/1.1 200 OK\r\nX-Junk: ${'a'.repeat(20_000)}`)),
	);
	const error = await failure(t, { https_proxy: `http://proxy.test:${port}` }, 'https://test.com/');
	t.is(error.code, 'ERR_PROXY_PROTOCOL');
	t.regex(error.message, /over 16384 bytes/);
});

test('a request with an Expect header cannot be forwarded through the http proxy and fails instead of hanging', async (t) => {
	const proxy = await forwardProxy(t);
	const { http } = await destinations(t);
	const stack = await client(t, configFrom({ http_proxy: proxyUrl(proxy) }));
	const request = stack
		.client('push')
		.post(`${named(http)}/`, { body: 'x', headers: { expect: '100-continue' } });
	const error = await t.throwsAsync(request.text());
	t.true(error instanceof OutboundHttpError);
	t.is((error as OutboundHttpError).code, 'ERR_REQUEST_FAILED');
	t.is(proxy.log.length + http.requests.length, 0);
});
