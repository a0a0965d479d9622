import test from 'ava';
import { createRouter, routeDecisionToJson } from '../src/index.js';
import { configFrom } from './helpers/setup.js';

const ENV = {
	http_proxy: 'http://main-proxy.test:3128',
	https_proxy: 'http://main-proxy.test:3128',
	no_proxy: 'partner.example',
};

const RULES = `
outbound_proxy_rules:
  - match: ["*.onion"]
    proxy: "http://127.0.0.1:9080"
  - match: ["partner.example", "100.20.0.0/16", "ports.example:8443"]
    purposes: [federation, media_redirect]
    proxy: "https://user:s3cret@partner-proxy.test:3128"
  - match: ["intranet.corp", "10.0.0.0/8"]
    proxy: null
`;

const router = createRouter(configFrom(ENV, RULES));

test('the first matching rule decides, before https_proxy and no_proxy, and route names it', (t) => {
	const onion = router.route('https://abcdef.onion/_matrix/key/v2/server', 'federation');
	t.like(onion, { route: 'proxy', mode: 'tunnel', connect: '127.0.0.1:9080' });
	t.is(onion.reason, "outbound_proxy_rules[0] entry '*.onion'");
	t.like(router.route('http://x.onion/', 'push'), {
		route: 'proxy',
		mode: 'forward',
		connect: '127.0.0.1:9080',
	});

	// partner.example is also in no_proxy: the rule wins.
	const partner = router.route('https://matrix.partner.example/', 'federation');
	t.like(partner, { route: 'proxy', connect: 'partner-proxy.test:3128' });
	t.is(partner.reason, "outbound_proxy_rules[1] entry 'partner.example'");
	t.like(router.route('https://100.20.3.4/', 'media_redirect'), {
		route: 'proxy',
		connect: 'partner-proxy.test:3128',
	});
	t.like(router.route('https://ports.example:8443/', 'federation'), {
		route: 'proxy',
		connect: 'partner-proxy.test:3128',
	});
	t.like(router.route('https://ports.example/', 'federation'), {
		route: 'proxy',
		reason: 'https_proxy (environment)',
	});
});

test('a rule limited to purposes leaves the others to the proxy variables', (t) => {
	const push = router.route('https://matrix.partner.example/', 'push');
	t.is(push.route, 'direct');
	t.is(push.reason, "no_proxy entry 'partner.example' (no_proxy (environment))");
	t.like(router.route('https://example.net/', 'federation'), {
		route: 'proxy',
		connect: 'main-proxy.test:3128',
	});
});

test('proxy: null goes direct, and the IP policy still refuses a blocked literal', (t) => {
	const direct = router.route('https://wiki.intranet.corp/', 'push');
	t.like(direct, { route: 'direct', connect: 'wiki.intranet.corp:443' });
	t.is(direct.reason, "outbound_proxy_rules[2] entry 'intranet.corp'");
	// 10.0.0.0/8 matches the direct rule, but the default blocklist refuses the literal first.
	const blocked = router.route('http://10.1.2.3/', 'push');
	t.is(blocked.route, 'blocked');
	t.is(blocked.blockedBy?.key, 'ip_range_blacklist');
	// With the range allowed, the rule sends it direct.
	const allowed = createRouter(configFrom(ENV, `${RULES}\nip_range_whitelist: ["10.0.0.0/8"]\n`));
	t.like(allowed.route('http://10.1.2.3/', 'push'), {
		route: 'direct',
		reason: "outbound_proxy_rules[2] entry '10.0.0.0/8'",
	});
});

test('a purpose that may not use a proxy ignores the rules', (t) => {
	t.like(router.route('https://x.onion/', 'appservice'), {
		route: 'direct',
		reason: 'purpose appservice is not proxied',
	});
	const off = createRouter(configFrom(ENV, `${RULES}\noutbound_proxy_purposes: {push: false}\n`));
	t.like(off.route('https://x.onion/', 'push'), { route: 'direct', reason: 'purpose push is not proxied' });
});

test('route --json shows a rule proxy with its password redacted', (t) => {
	const json = routeDecisionToJson(router.route('https://matrix.partner.example/', 'federation'));
	t.is(json.proxy, 'https://user:***@partner-proxy.test:3128');
	t.false(JSON.stringify(json).includes('s3cret'));
	t.false(JSON.stringify(router.route('https://matrix.partner.example/', 'federation')).includes('s3cret'));
});

test('rules with thousands of entries compile once and match by label suffix', (t) => {
	const names = Array.from({ length: 5000 }, (_, index) => `"host${index}.bulk.example"`).join(', ');
	const bulk = createRouter(
		configFrom(ENV, `outbound_proxy_rules:\n  - match: [${names}]\n    proxy: "http://127.0.0.1:9080"\n`),
	);
	t.like(bulk.route('https://a.host4999.bulk.example/', 'push'), {
		route: 'proxy',
		connect: '127.0.0.1:9080',
	});
	t.like(bulk.route('https://host5000.bulk.example/', 'push'), {
		route: 'proxy',
		connect: 'main-proxy.test:3128',
	});
});
