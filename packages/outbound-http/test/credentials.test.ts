import { inspect } from 'node:util';
import test from 'ava';
import { ALLOW_LOOPBACK, basic, configFrom, memoryLogger } from './helpers/setup.js';
import { client, destinations, forwardProxy, named, tlsForwardProxy } from './helpers/fixtures.js';

test('percent-encoded credentials are decoded before Basic encoding, for CONNECT and absolute form', async (t) => {
	const proxy = await forwardProxy(t, { auth: { username: 'us@er', password: 'p:ss w/x%' } });
	const { http, https } = await destinations(t);
	const url = proxy.url.replace('//', '//us%40er:p%3Ass%20w%2Fx%25@');
	const stack = await client(t, configFrom({ http_proxy: url, https_proxy: url }));
	t.is(
		await stack
			.client('push')
			.get(`${named(https)}/`)
			.text(),
		'ok',
	);
	t.is(
		await stack
			.client('push')
			.get(`${named(http)}/`)
			.text(),
		'ok',
	);
	t.deepEqual(
		proxy.log.map((entry) => [entry.method, entry.authorizedUser]),
		[
			['CONNECT', 'us@er'],
			['GET', 'us@er'],
		],
	);
	t.is(proxy.log[0]?.headers['proxy-authorization'], basic('us@er', 'p:ss w/x%'));
});

test('a user name without a password is sent as "user:"', async (t) => {
	const proxy = await forwardProxy(t);
	const { https } = await destinations(t);
	const stack = await client(t, configFrom({ https_proxy: proxy.url.replace('//', '//alice@') }));
	await stack
		.client('push')
		.get(`${named(https)}/`)
		.text();
	t.is(proxy.log[0]?.headers['proxy-authorization'], basic('alice', ''));
});

test("the caller's headers object is never given Proxy-Authorization", async (t) => {
	const proxy = await forwardProxy(t);
	const { http } = await destinations(t);
	const stack = await client(t, configFrom({ http_proxy: proxy.url.replace('//', '//bob:pinkponies@') }));
	const headers = { 'x-caller': 'yes' };
	await stack
		.client('push')
		.get(`${named(http)}/`, { headers })
		.text();
	t.deepEqual(headers, { 'x-caller': 'yes' });
	t.is(proxy.log[0]?.headers['x-caller'], 'yes');
	t.is(proxy.log[0]?.headers['proxy-authorization'], basic('bob', 'pinkponies'));
});

test('credentials appear in no destination request, log line, metric or error', async (t) => {
	const secret = 'pinkponies';
	const encoded = Buffer.from(`bob:${secret}`).toString('base64');
	const proxy = await tlsForwardProxy(t, { auth: { username: 'bob', password: secret } });
	const { http, https } = await destinations(t, (request, response) => {
		if (request.url === '/hop')
			response.writeHead(302, { location: `${named(https, 'other.test')}/landed` }).end();
		else response.end('ok');
	});
	const proxyUrl = proxy.url.replace('//127.0.0.1', `//bob:${secret}@proxy.test`);
	const { logger, lines } = memoryLogger();
	const stack = await client(
		t,
		configFrom({ http_proxy: proxyUrl, https_proxy: proxyUrl, no_proxy: 'other.test' }, ALLOW_LOOPBACK),
		{
			logger,
		},
	);
	const push = stack.client('push');
	await push.get(`${named(http)}/plain?access_token=syt_secret_token`).text();
	await push.get(`${named(https)}/tunnel`).text();
	await push.get(`${named(https)}/hop`).text();
	const failed = await t.throwsAsync(push.get(`https://0.0.0.0:${https.port}/blocked`).text());

	t.is(proxy.log.length, 2, 'one forwarded request and one CONNECT (the tunnel is reused for /hop)');
	t.true(proxy.log.every((entry) => entry.authorizedUser === 'bob'));
	for (const request of [...http.requests, ...https.requests]) {
		t.is(request.headers['proxy-authorization'], undefined, request.url);
		t.false(JSON.stringify(request.rawHeaders).includes(encoded), request.url);
	}
	t.true(
		https.requests.some((request) => request.url === '/landed'),
		'the redirect went direct to other.test',
	);
	t.true(lines.length >= 5, 'one debug line per hop');
	const everything = [
		lines.join('\n'),
		await stack.metrics.registry.metrics(),
		inspect(failed, { depth: 8 }),
		failed.message,
	];
	for (const text of everything) {
		t.false(text.includes(secret));
		t.false(text.includes(encoded));
		t.false(text.includes('syt_secret_token'));
	}
	const first = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
	t.like(first, {
		level: 20,
		msg: 'outbound request routed',
		purpose: 'push',
		route: 'proxy',
		mode: 'forward',
		proxy: proxyUrl.replace(secret, '***'),
		reason: 'http_proxy (environment)',
		url: `${named(http)}/plain?access_token=***`,
	});
});
