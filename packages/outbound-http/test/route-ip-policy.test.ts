import test from 'ava';
import { createRouter, routeDecisionToJson } from '../src/index.js';
import { checkAddressText } from '../src/route/ip-policy-matcher.js';
import { configFrom } from './helpers/setup.js';

const PROXIES = { http_proxy: 'http://proxy.test:3128', https_proxy: 'http://proxy.test:3128' };

test('an IP literal in the default blocklist is blocked, naming address, range and key', (t) => {
	const decision = createRouter(configFrom(PROXIES)).route('https://10.1.2.3:8448/x', 'push');
	t.is(decision.route, 'blocked');
	t.is(decision.connect, null);
	t.is(decision.reason, 'IP literal 10.1.2.3 is in ip_range_blacklist range 10.0.0.0/8');
	t.like(decision.blockedBy, { address: '10.1.2.3', range: '10.0.0.0/8', key: 'ip_range_blacklist' });
});

const spellings: [url: string, address: string][] = [
	['http://127.0.0.1/', '127.0.0.1'],
	['http://127.1/', '127.0.0.1'],
	['http://2130706433/', '127.0.0.1'],
	['http://0x7f000001/', '127.0.0.1'],
	['http://0177.0.0.1/', '127.0.0.1'],
	['http://0x7f.0.0.1/', '127.0.0.1'],
	['http://[::ffff:127.0.0.1]/', '127.0.0.1'],
	['http://[::ffff:7f00:1]/', '127.0.0.1'],
	['http://[::1]/', '::1'],
	['http://[0:0:0:0:0:0:0:1]/', '::1'],
	['http://0.0.0.0/', '0.0.0.0'],
	['http://0/', '0.0.0.0'],
	['http://[::]/', '::'],
	['http://169.254.169.254/latest/meta-data', '169.254.169.254'],
	['http://[fe80::1]/', 'fe80::1'],
];

for (const [url, address] of spellings) {
	test(`${url} is refused as ${address} whatever the spelling`, (t) => {
		const decision = createRouter(configFrom(PROXIES)).route(url, 'push');
		t.is(decision.route, 'blocked');
		t.is(decision.blockedBy?.address, address);
	});
}

test('derived IPv6 forms of IPv4 ranges are blocked: IPv4-compatible, 6to4 and NAT64', (t) => {
	const router = createRouter(configFrom(PROXIES));
	for (const url of ['http://[::10.0.0.1]/', 'http://[2002:a00:1::]/', 'http://[64:ff9b::a00:1]/']) {
		const decision = router.route(url, 'push');
		t.is(decision.route, 'blocked', url);
		t.is(decision.blockedBy?.derivedFrom, '10.0.0.0/8', url);
	}
});

test('the allowlist wins over the blocklist', (t) => {
	const router = createRouter(configFrom(PROXIES, 'ip_range_whitelist: ["10.9.0.0/16", "fd00::1"]'));
	t.is(router.route('http://10.9.1.1/', 'push').route, 'proxy');
	t.is(router.route('http://[::ffff:10.9.1.1]/', 'push').route, 'proxy');
	t.is(router.route('http://10.8.1.1/', 'push').route, 'blocked');
	t.is(router.route('http://[fd00::1]/', 'push').route, 'proxy');
	t.is(router.route('http://[fd00::2]/', 'push').route, 'blocked');
});

test('a custom blocklist replaces the default one, but 0.0.0.0 and :: stay blocked', (t) => {
	const router = createRouter(configFrom(PROXIES, 'ip_range_blacklist: ["203.0.113.0/24"]'));
	t.is(router.route('http://10.0.0.1/', 'push').route, 'proxy');
	t.is(
		router.route('http://203.0.113.7/', 'push').reason,
		'IP literal 203.0.113.7 is in ip_range_blacklist range 203.0.113.0/24',
	);
	t.is(router.route('http://0.0.0.0/', 'push').route, 'blocked');
	t.is(router.route('http://[::]/', 'push').route, 'blocked');
});

test('IP literals are checked on proxied routes too, and on direct ones', (t) => {
	const router = createRouter(configFrom({ ...PROXIES, no_proxy: '10.0.0.0/8' }));
	t.is(router.route('https://10.1.1.1/', 'push').route, 'blocked');
	t.is(router.route('https://192.168.1.1/', 'push').route, 'blocked');
});

test('host names are never blocked by route(): the proxy or the guarded lookup resolves them', (t) => {
	const router = createRouter(configFrom(PROXIES));
	t.is(router.route('https://localhost/', 'push').route, 'proxy');
	t.is(router.route('https://localhost/', 'appservice').route, 'direct');
});

test('purposes without an IP policy are not checked: appservice and replication', (t) => {
	const router = createRouter(configFrom(PROXIES));
	t.is(router.route('http://10.1.2.3/', 'appservice').route, 'direct');
	t.is(router.route('http://127.0.0.1:9093/', 'replication').route, 'direct');
});

test('federation uses federation_ip_range_blacklist when set, with its own key in the reason', (t) => {
	const router = createRouter(configFrom(PROXIES, 'federation_ip_range_blacklist: ["198.51.100.0/24"]'));
	const decision = router.route('https://198.51.100.4:8448/', 'federation');
	t.is(decision.route, 'blocked');
	t.is(decision.blockedBy?.key, 'federation_ip_range_blacklist');
	t.is(router.route('https://10.0.0.1:8448/', 'federation').route, 'proxy');
	t.is(router.route('https://10.0.0.1/', 'push').route, 'blocked');
});

test('url_preview uses url_preview_ip_range_blacklist when set', (t) => {
	const router = createRouter(configFrom(PROXIES, 'url_preview_ip_range_blacklist: ["198.51.100.0/24"]'));
	t.is(router.route('http://198.51.100.1/', 'url_preview').blockedBy?.key, 'url_preview_ip_range_blacklist');
	t.is(router.route('http://10.0.0.1/', 'url_preview').route, 'proxy');
});

test('the route --json shape of a blocked decision has exactly the documented keys', (t) => {
	const json = routeDecisionToJson(createRouter(configFrom(PROXIES)).route('http://10.0.0.1/', 'push'));
	t.deepEqual(json, {
		url: 'http://10.0.0.1/',
		purpose: 'push',
		route: 'blocked',
		mode: null,
		proxy: null,
		connect: null,
		reason: 'IP literal 10.0.0.1 is in ip_range_blacklist range 10.0.0.0/8',
	});
});

const notGloballyReachable: [url: string, range: string][] = [
	['http://0.1.2.3/', '0.0.0.0/8'],
	['http://240.0.0.1/', '240.0.0.0/4'],
	['http://255.255.255.254/', '240.0.0.0/4'],
	['http://255.255.255.255/', '255.255.255.255/32'],
	['http://[::ffff:0:a00:1]/', '::ffff:0:0:0/96'],
	['http://[64:ff9b:1::808:808]/', '64:ff9b:1::/48'],
	['http://[100::1]/', '100::/64'],
	['http://[100:0:0:1::1]/', '100:0:0:1::/64'],
	['http://[2001::1]/', '2001::/32'],
	['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', '2001::/32'],
	['http://[2001:2::1]/', '2001:2::/48'],
	['http://[2001:1f::1]/', '2001:10::/28'],
	['http://[3fff::1]/', '3fff::/20'],
	['http://[5f00::1]/', '5f00::/16'],
	['http://[::f000:1]/', '::f000:0/100'],
];

for (const [url, range] of notGloballyReachable) {
	test(`${url} is blocked by default: ${range} is not globally reachable (IANA), beyond Synapse's list`, (t) => {
		const decision = createRouter(configFrom(PROXIES)).route(url, 'push');
		t.is(decision.route, 'blocked');
		t.is(decision.blockedBy?.range, range);
		t.is(decision.blockedBy?.key, 'ip_range_blacklist');
	});
}

test('globally reachable neighbours of the IANA ranges are not blocked by default', (t) => {
	const router = createRouter(configFrom(PROXIES));
	for (const url of [
		'http://1.0.0.1/',
		'http://239.255.255.255/', // multicast: blocked by Synapse's 224.0.0.0/4
		'http://223.255.255.255/',
		'http://[64:ff9b::808:808]/',
		'http://[64:ff9b:2::1]/',
		'http://[2001:4860:4860::8888]/',
		'http://[2001:20::1]/',
		'http://[2001:3::1]/',
		'http://[100:0:0:2::1]/',
		'http://[::ffff:8.8.8.8]/',
		'http://[::ffff:1:808:808]/',
	]) {
		const expected = url === 'http://239.255.255.255/' ? 'blocked' : 'proxy';
		t.is(router.route(url, 'push').route, expected, url);
	}
});

test("an operator's IPv6 range that contains the IPv4-mapped space also blocks the IPv4 addresses it carries", (t) => {
	const everything = createRouter(configFrom(PROXIES, 'ip_range_blacklist: ["::/0"]'));
	const decision = everything.route('http://8.8.8.8/', 'push');
	t.is(decision.route, 'blocked');
	t.is(decision.reason, 'IP literal 8.8.8.8 is in ip_range_blacklist range 0.0.0.0/0 (derived from ::/0)');
	t.is(everything.route('http://[::ffff:8.8.8.8]/', 'push').route, 'blocked');
	t.is(everything.route('http://[2606:4700::1111]/', 'push').route, 'blocked');
	// The same at connection time, for the addresses a name resolves to.
	const matcher = everything.ipPolicy('push');
	t.like(matcher === null ? undefined : checkAddressText(matcher, '8.8.4.4'), { range: '0.0.0.0/0' });

	const mapped = createRouter(configFrom(PROXIES, 'ip_range_blacklist: ["::ffff:0:0/96"]'));
	t.is(mapped.route('http://8.8.8.8/', 'push').blockedBy?.derivedFrom, '::ffff:0:0/96');
	t.is(mapped.route('http://[2606:4700::1111]/', 'push').route, 'proxy');

	const ten = createRouter(configFrom(PROXIES, 'ip_range_blacklist: ["::ffff:10.0.0.0/104"]'));
	t.is(
		ten.route('http://10.1.2.3/', 'push').reason,
		'IP literal 10.1.2.3 is in ip_range_blacklist range 10.0.0.0/8 (derived from ::ffff:a00:0/104)',
	);
	t.is(ten.route('http://[::ffff:10.1.2.3]/', 'push').route, 'blocked');
	t.is(ten.route('http://[64:ff9b::10.1.2.3]/', 'push').route, 'blocked');
	t.is(ten.route('http://11.0.0.1/', 'push').route, 'proxy');

	// The IPv4-compatible space ::/96 is not the mapped space: it blocks no IPv4 address.
	const compatible = createRouter(configFrom(PROXIES, 'ip_range_blacklist: ["::/96"]'));
	t.is(compatible.route('http://8.8.8.8/', 'push').route, 'proxy');
	t.is(compatible.route('http://[::8.8.8.8]/', 'push').route, 'blocked');
});

test('an allowlisted IPv6 range containing the mapped space allows the IPv4 addresses too', (t) => {
	const router = createRouter(configFrom(PROXIES, 'ip_range_whitelist: ["::/0"]'));
	t.is(router.route('http://10.0.0.1/', 'push').route, 'proxy');
});
