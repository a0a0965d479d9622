import test from 'ava';
import { createRouter, isOutboundHttpError, route, routeDecisionToJson, routerFor } from '../src/index.js';
import { configFrom } from './helpers/setup.js';

const ENV = {
	http_proxy: 'http://bob:pink%40ponies@proxy.test:3128',
	https_proxy: 'https://proxy.test:8443',
};

test('https goes through https_proxy as a CONNECT tunnel; the reason is where the proxy came from', (t) => {
	const decision = createRouter(configFrom(ENV)).route(
		'https://matrix.example:8448/_matrix/key/v2/server',
		'federation',
	);
	t.like(decision, {
		route: 'proxy',
		mode: 'tunnel',
		connect: 'proxy.test:8443',
		reason: 'https_proxy (environment)',
	});
	t.is(decision.proxy?.host, 'proxy.test');
});

test('http goes through http_proxy in absolute form (mode forward); JSON shows the proxy with the password redacted', (t) => {
	const decision = createRouter(configFrom(ENV)).route('http://push.example/notify', 'push');
	t.deepEqual(routeDecisionToJson(decision), {
		url: 'http://push.example/notify',
		purpose: 'push',
		route: 'proxy',
		mode: 'forward',
		proxy: 'http://bob:***@proxy.test:3128',
		connect: 'proxy.test:3128',
		reason: 'http_proxy (environment)',
	});
	t.false(JSON.stringify(decision).includes('ponies'));
});

test('the purposes table: who is proxied', (t) => {
	const router = createRouter(configFrom(ENV));
	const expected: [Parameters<typeof router.route>[1], 'proxy' | 'direct'][] = [
		['federation', 'proxy'],
		['media_redirect', 'proxy'],
		['push', 'proxy'],
		['url_preview', 'proxy'],
		['oidc', 'proxy'],
		['cas', 'proxy'],
		['recaptcha', 'proxy'],
		['phone_home', 'proxy'],
		['key_revocation', 'proxy'],
		['appservice', 'direct'],
		['identity_server', 'direct'],
		['replication', 'direct'],
	];
	for (const [purpose, expectedRoute] of expected) {
		t.is(router.route('https://remote.example/', purpose).route, expectedRoute, purpose);
	}
	t.is(router.route('https://remote.example/', 'appservice').reason, 'purpose appservice is not proxied');
});

test('federation uses only https_proxy: plain http federation traffic goes direct, saying why', (t) => {
	const decision = createRouter(configFrom(ENV)).route('http://matrix.example/', 'federation');
	t.is(decision.route, 'direct');
	t.is(decision.reason, 'purpose federation uses only https_proxy; http:// goes direct');
	t.is(decision.connect, 'matrix.example:80');
});

test('outbound_proxy_purposes overrides who is proxied', (t) => {
	const router = createRouter(configFrom(ENV, 'outbound_proxy_purposes: {appservice: true, push: false}'));
	t.is(router.route('https://as.example/', 'appservice').route, 'proxy');
	t.is(router.route('https://push.example/', 'push').route, 'direct');
});

test('https never falls back to http_proxy', (t) => {
	const router = createRouter(configFrom({ http_proxy: 'http://proxy.test:3128' }));
	const decision = router.route('https://push.example/', 'push');
	t.is(decision.route, 'direct');
	t.is(decision.reason, 'no https_proxy configured');
});

test('YAML proxy settings win over the environment, and a YAML null disables an environment proxy', (t) => {
	const router = createRouter(
		configFrom(
			{ https_proxy: 'http://env.test:1111', http_proxy: 'http://env.test:2222' },
			'https_proxy: "http://yaml.test:8888"\nhttp_proxy: null',
		),
	);
	t.like(router.route('https://a.example/', 'push'), {
		connect: 'yaml.test:8888',
		reason: 'https_proxy (homeserver.yaml)',
	});
	t.like(router.route('http://a.example/', 'push'), { route: 'direct', reason: 'no http_proxy configured' });
});

test('uppercase environment names work, and lowercase wins when both are set', (t) => {
	t.is(
		createRouter(configFrom({ HTTPS_PROXY: 'proxy.test:8888' })).route('https://a.example/', 'push').connect,
		'proxy.test:8888',
	);
	const both = createRouter(configFrom({ HTTPS_PROXY: 'upper.test:1', https_proxy: 'lower.test:2' }));
	t.is(both.route('https://a.example/', 'push').connect, 'lower.test:2');
});

test('a proxy without a port uses 1080; an IPv6 proxy is bracketed in connect', (t) => {
	t.is(
		createRouter(configFrom({ https_proxy: 'proxy.test' })).route('https://a.example/', 'push').connect,
		'proxy.test:1080',
	);
	const v6 = createRouter(configFrom({ https_proxy: 'http://[::1]:3128' })).route(
		'https://a.example/',
		'push',
	);
	t.is(v6.connect, '[::1]:3128');
});

test('direct decisions connect to the destination with its effective port, IPv6 bracketed', (t) => {
	const router = createRouter(configFrom({}));
	t.is(router.route('https://a.example/', 'push').connect, 'a.example:443');
	t.is(router.route('http://a.example/', 'push').connect, 'a.example:80');
	t.is(router.route('https://[2001:4860::8888]:8448/', 'appservice').connect, '[2001:4860::8888]:8448');
});

test('every decision, IPv6 literals included, serialises to JSON with the public target fields only', (t) => {
	const router = createRouter(configFrom({ ...ENV, no_proxy: '2a00:1450::/32' }));
	const cases = [
		router.route('https://[2001:db8::1]/', 'push'),
		router.route('https://[2a00:1450::1]:8448/', 'push'),
		router.route('https://[2a01:4f8::1]/', 'federation'),
		router.route('http://10.1.2.3/', 'push'),
		router.route('https://matrix.example/', 'federation'),
	];
	t.deepEqual(
		cases.map((decision) => decision.route),
		['blocked', 'direct', 'proxy', 'blocked', 'proxy'],
	);
	for (const decision of cases) {
		const json = JSON.parse(JSON.stringify(decision)) as { target: object };
		t.deepEqual(Object.keys(json.target), ['protocol', 'host', 'port', 'isIp']);
	}
	t.like(JSON.parse(JSON.stringify(cases[1])), {
		target: { protocol: 'https:', host: '2a00:1450::1', port: 8448, isIp: true },
	});
});

test('the decision URL has user info removed and access tokens redacted', (t) => {
	const decision = createRouter(configFrom({})).route(
		'https://u:secret@a.example/x?access_token=syt_abc&b=1',
		'push',
	);
	t.is(decision.url, 'https://a.example/x?access_token=***&b=1');
});

test('unsupported schemes, relative or malformed URLs, zone ids and unknown purposes are typed errors', (t) => {
	const router = createRouter(configFrom(ENV));
	t.true(
		isOutboundHttpError(
			t.throws(() => router.route('ftp://a.example/', 'push')),
			'ERR_UNSUPPORTED_PROTOCOL',
		),
	);
	t.true(
		isOutboundHttpError(
			t.throws(() => router.route('/relative', 'push')),
			'ERR_INVALID_URL',
		),
	);
	const zone = t.throws(() => router.route('http://[fe80::1%25eth0]/', 'push'));
	t.true(isOutboundHttpError(zone, 'ERR_INVALID_URL'));
	t.regex(zone.message, /zone ids/);
	t.true(
		isOutboundHttpError(
			t.throws(() => router.route('https://a.example/', 'gopher' as 'push')),
			'ERR_UNKNOWN_PURPOSE',
		),
	);
});

test('route(config, ...) compiles a router once per configuration object', (t) => {
	const config = configFrom(ENV);
	t.is(routerFor(config), routerFor(config));
	t.not(routerFor(config), routerFor(configFrom(ENV)));
	t.is(route(config, new URL('https://a.example/'), 'push').mode, 'tunnel');
});
