import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { DestinationServer, RequestHandler } from '@homeserver/testkit';
import { ALLOW_LOOPBACK, configFrom } from './helpers/setup.js';
import { client, destinations, forwardProxy, named } from './helpers/fixtures.js';
import type { RouteDecision } from '../src/index.js';

/** Destinations where `/go?to=URL` redirects (302) and anything else answers `ok`. */
async function redirecting(
	t: ExecutionContext,
): Promise<{ http: DestinationServer; https: DestinationServer }> {
	const handler: RequestHandler = (request, response) => {
		const to = new URL(request.url ?? '/', 'http://x').searchParams.get('to');
		if (to === null) {
			response.end('ok');
			return;
		}
		response.writeHead(302, { location: to }).end();
	};
	return destinations(t, handler);
}

function via(server: DestinationServer, name: string, to: string): string {
	return `${named(server, name)}/go?to=${encodeURIComponent(to)}`;
}

test('a redirect from a proxied host to a blocked IP literal is refused before connecting', async (t) => {
	const proxy = await forwardProxy(t);
	const { http } = await redirecting(t);
	const stack = await client(t, configFrom({ http_proxy: proxy.url }));
	const error = await t.throwsAsync(
		stack
			.client('push')
			.get(via(http, 'test.com', `${http.url}/final`))
			.text(),
	);
	t.like(error, { code: 'ERR_IP_BLOCKED', address: '127.0.0.1' });
	t.deepEqual(
		http.requests.map((request) => request.url),
		[`/go?to=${encodeURIComponent(`${http.url}/final`)}`],
	);
});

test('a redirect to a no_proxy host goes direct, without Proxy-Authorization, and passes the IP policy', async (t) => {
	const proxy = await forwardProxy(t, { auth: { username: 'bob', password: 'pinkponies' } });
	const { http } = await redirecting(t);
	const proxyUrl = proxy.url.replace('//', '//bob:pinkponies@');
	const env = { http_proxy: proxyUrl, no_proxy: 'other.test' };
	const stack = await client(t, configFrom(env, ALLOW_LOOPBACK));
	const target = `${named(http, 'other.test')}/final`;
	t.is(
		await stack
			.client('push')
			.get(via(http, 'test.com', target))
			.text(),
		'ok',
	);
	t.is(proxy.log.length, 1);
	t.is(proxy.log[0]?.authorizedUser, 'bob');
	t.is(http.requests.length, 2);
	t.is(http.requests[1]?.url, '/final');
	t.is(http.requests[1]?.headers.host, `other.test:${http.port}`);
	t.is(http.requests[1]?.headers['proxy-authorization'], undefined);
});

test('a redirect to a no_proxy host that resolves to a blocked address is refused', async (t) => {
	const proxy = await forwardProxy(t);
	const { http } = await redirecting(t);
	const stack = await client(t, configFrom({ http_proxy: proxy.url, no_proxy: 'internal.test' }));
	const error = await t.throwsAsync(
		stack
			.client('push')
			.get(via(http, 'test.com', `${named(http, 'internal.test')}/final`))
			.text(),
	);
	t.like(error, { code: 'ERR_IP_BLOCKED', host: 'internal.test' });
	t.is(http.requests.length, 1);
});

test('a redirect from http to https switches from absolute form to a CONNECT tunnel', async (t) => {
	const proxy = await forwardProxy(t);
	const { http, https } = await redirecting(t);
	const stack = await client(t, configFrom({ http_proxy: proxy.url, https_proxy: proxy.url }));
	t.is(
		await stack
			.client('push')
			.get(via(http, 'test.com', `${named(https)}/secure`))
			.text(),
		'ok',
	);
	t.deepEqual(
		proxy.log.map((entry) => entry.method),
		['GET', 'CONNECT'],
	);
	t.is(proxy.log[1]?.target, `test.com:${https.port}`);
	t.is(https.requests[0]?.url, '/secure');
});

test('a redirect from https to http leaves the tunnel for absolute form', async (t) => {
	const proxy = await forwardProxy(t);
	const { http, https } = await redirecting(t);
	const stack = await client(t, configFrom({ http_proxy: proxy.url, https_proxy: proxy.url }));
	t.is(
		await stack
			.client('push')
			.get(via(https, 'test.com', `${named(http)}/plain`))
			.text(),
		'ok',
	);
	t.deepEqual(
		proxy.log.map((entry) => `${entry.method} ${entry.target}`),
		[`CONNECT test.com:${https.port}`, `GET http://test.com:${http.port}/plain`],
	);
});

test('a redirect from a direct host to a proxied host goes through the proxy', async (t) => {
	const proxy = await forwardProxy(t);
	const { http } = await redirecting(t);
	const stack = await client(
		t,
		configFrom({ http_proxy: proxy.url, no_proxy: 'other.test' }, ALLOW_LOOPBACK),
	);
	t.is(
		await stack
			.client('push')
			.get(via(http, 'other.test', `${named(http)}/final`))
			.text(),
		'ok',
	);
	t.is(proxy.log.length, 1);
	t.is(proxy.log[0]?.target, `http://test.com:${http.port}/final`);
	t.is(http.requests[0]?.headers.host, `other.test:${http.port}`);
});

test('every hop is counted with its own route', async (t) => {
	const proxy = await forwardProxy(t);
	const { http } = await redirecting(t);
	const stack = await client(
		t,
		configFrom({ http_proxy: proxy.url, no_proxy: 'other.test' }, ALLOW_LOOPBACK),
	);
	await stack
		.client('push')
		.get(via(http, 'test.com', `${named(http, 'other.test')}/x`))
		.text();
	const metrics = await stack.metrics.registry.metrics();
	t.regex(metrics, /outbound_requests_total\{purpose="push",route="proxy"\} 1/);
	t.regex(metrics, /outbound_requests_total\{purpose="push",route="direct"\} 1/);
});

test('context.onRoute receives the routing decision of every hop, the refused one included', async (t) => {
	const proxy = await forwardProxy(t);
	const { http } = await redirecting(t);
	const stack = await client(t, configFrom({ http_proxy: proxy.url }));
	const seen: [string, string, string | null][] = [];
	const error = await t.throwsAsync(
		stack
			.client('push')
			.get(via(http, 'test.com', `${http.url}/final`), {
				context: {
					onRoute: (decision: RouteDecision) => seen.push([decision.url, decision.route, decision.connect]),
				},
			})
			.text(),
	);
	t.like(error, { code: 'ERR_IP_BLOCKED', address: '127.0.0.1' });
	const proxyHostPort = new URL(proxy.url).host;
	t.deepEqual(seen, [
		[via(http, 'test.com', `${http.url}/final`), 'proxy', proxyHostPort],
		[`${http.url}/final`, 'blocked', null],
	]);
});
