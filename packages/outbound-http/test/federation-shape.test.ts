// The shape federation uses (docs/architecture.md 4): the URL names the resolved target (SRV / .well-known), while got's
// `https.serverName` and an explicit Host header carry the server name.
import test from 'ava';
import { configFrom } from './helpers/setup.js';
import { client, destinations, forwardProxy, named } from './helpers/fixtures.js';

test('through a tunnel, CONNECT goes to the URL target while SNI and Host carry https.serverName', async (t) => {
	const proxy = await forwardProxy(t);
	const { https } = await destinations(t);
	const stack = await client(t, configFrom({ https_proxy: proxy.url }));
	const options = { https: { serverName: 'other.test' }, headers: { host: 'other.test' } };
	t.is(
		await stack
			.client('federation')
			.get(`${named(https, 'test.com')}/_matrix/federation/v1/version`, options)
			.text(),
		'ok',
	);
	t.is(proxy.log[0]?.target, `test.com:${https.port}`);
	t.like(https.requests[0], { servername: 'other.test', url: '/_matrix/federation/v1/version' });
	t.is(https.requests[0]?.headers.host, 'other.test');
});

test('tunnels to one target are pooled per server name, so two server names never share a TLS session', async (t) => {
	const proxy = await forwardProxy(t);
	const { https } = await destinations(t);
	const stack = await client(t, configFrom({ https_proxy: proxy.url }));
	const federation = stack.client('federation');
	for (const serverName of ['other.test', 'a.test.com', 'other.test', 'a.test.com']) {
		await federation.get(`${named(https)}/`, { https: { serverName }, headers: { host: serverName } }).text();
	}
	t.is(proxy.connects, 2);
	t.deepEqual(
		https.requests.map((request) => `${request.connection} ${request.servername}`),
		['1 other.test', '2 a.test.com', '1 other.test', '2 a.test.com'],
	);
});

test('a retried request is routed again and counted per attempt', async (t) => {
	let attempts = 0;
	const proxy = await forwardProxy(t);
	const { http } = await destinations(t, (request, response) => {
		attempts++;
		if (attempts === 1) request.socket.destroy();
		else response.end('second time');
	});
	const stack = await client(t, configFrom({ http_proxy: proxy.url }), { retryLimit: 1 });
	t.is(
		await stack
			.client('push')
			.get(`${named(http)}/flaky`, { retry: { limit: 1, backoffLimit: 10 } })
			.text(),
		'second time',
	);
	t.is(attempts, 2);
	t.regex(
		await stack.metrics.registry.metrics(),
		/outbound_requests_total\{purpose="push",route="proxy"\} 2/,
	);
});
