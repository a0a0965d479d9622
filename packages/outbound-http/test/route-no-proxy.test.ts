import test from 'ava';
import { createRouter } from '../src/index.js';
import { configFrom } from './helpers/setup.js';

const PROXIES = { http_proxy: 'http://proxy.test:3128', https_proxy: 'http://proxy.test:3128' };

function routeWith(noProxy: string, url: string): string {
	// No IP blocklist here: these cases are about no_proxy alone (the IP policy has its own tests).
	const router = createRouter(configFrom({ ...PROXIES, no_proxy: noProxy }, 'ip_range_blacklist: []'));
	return router.route(url, 'push').route;
}

const cases: [noProxy: string, url: string, expected: 'direct' | 'proxy'][] = [
	// Domains: apex and subdomains at a label boundary, in every spelling.
	['example.com', 'https://example.com/', 'direct'],
	['example.com', 'https://a.b.example.com/', 'direct'],
	['example.com', 'https://notexample.com/', 'proxy'],
	['example.com', 'https://example.com.evil.test/', 'proxy'],
	['.example.com', 'https://example.com/', 'direct'],
	['.example.com', 'https://sub.example.com/', 'direct'],
	['*.example.com', 'https://sub.example.com/', 'direct'],
	['*.example.com', 'https://notexample.com/', 'proxy'],
	['EXAMPLE.com', 'https://Sub.Example.COM/', 'direct'],
	['example.com.', 'https://example.com/', 'direct'],
	['example.com', 'https://example.com./', 'direct'],
	['bücher.example', 'https://xn--bcher-kva.example/', 'direct'],
	['xn--bcher-kva.example', 'https://bücher.example/', 'direct'],
	// Wildcard alone, and in a list (DESIGN: `*` alone means nothing is proxied; our loader treats any `*` entry so).
	['*', 'https://anything.test/', 'direct'],
	['*', 'http://10.0.0.1:8080/', 'direct'],
	// IPv4 addresses and CIDR ranges match IP literals only, compared as addresses.
	['10.1.2.3', 'http://10.1.2.3/', 'direct'],
	['10.1.2.3', 'http://10.1.2.30/', 'proxy'],
	['10.0.0.0/8', 'http://10.200.3.4/', 'direct'],
	['10.0.0.0/8', 'http://11.0.0.1/', 'proxy'],
	['10.0.0.0/8', 'http://ten.example/', 'proxy'],
	['192.168.1.0/24', 'http://192.168.1.255/', 'direct'],
	['192.168.1.0/24', 'http://192.168.2.0/', 'proxy'],
	['0.0.0.0/0', 'http://203.0.113.9/', 'direct'],
	['10.0.0.0/8', 'http://012.1.2.3/', 'direct'], // octal 012 = 10
	['10.0.0.0/8', 'http://0xa.1.2.3/', 'direct'],
	['10.0.0.0/8', 'http://167772161/', 'direct'], // 10.0.0.1 as one decimal number
	['10.0.0.1', 'http://[::ffff:10.0.0.1]/', 'direct'],
	['::ffff:10.0.0.1', 'http://10.0.0.1/', 'direct'],
	['::ffff:10.0.0.0/104', 'http://10.9.9.9/', 'direct'],
	['::ffff:0:0/96', 'http://203.0.113.9/', 'direct'],
	// Other IPv6 ranges match IPv6 literals only (IPv4-mapped ones are IPv4 literals), as documented.
	['::/0', 'http://[2001:db8::1]/', 'direct'],
	['::/0', 'http://203.0.113.9/', 'proxy'],
	['::/96', 'http://[::203.0.113.9]/', 'direct'],
	// IPv6, bracketed or not, compared as addresses.
	['::1', 'http://[::1]/', 'direct'],
	['[::1]', 'http://[::1]/', 'direct'],
	['::0:1', 'http://[0:0:0:0:0:0:0:1]/', 'direct'],
	['2001:db8::/32', 'https://[2001:db8:ffff::1]:8448/', 'direct'],
	['2001:db8::/32', 'https://[2001:db9::1]/', 'proxy'],
	['fd00::/8', 'https://[fd12:3456::1]/', 'direct'],
	// Ports: an entry with a port matches only that port (the URL's effective port).
	['example.com:8443', 'https://example.com:8443/', 'direct'],
	['example.com:8443', 'https://example.com/', 'proxy'],
	['example.com:443', 'https://example.com/', 'direct'],
	['example.com:80', 'http://sub.example.com/', 'direct'],
	['10.0.0.0/8:8080', 'http://10.1.1.1:8080/', 'direct'],
	['10.0.0.0/8:8080', 'http://10.1.1.1/', 'proxy'],
	['[::1]:8080', 'http://[::1]:8080/', 'direct'],
	['[::1]:8080', 'http://[::1]:8081/', 'proxy'],
	['2001:db8::/32:443', 'https://[2001:db8::5]/', 'direct'],
	['[2001:db8::/32]:443', 'https://[2001:db8::5]:8443/', 'proxy'],
	// Lists: commas and whitespace, trimmed.
	[' other.test , example.com ', 'https://example.com/', 'direct'],
	['other.test example.com', 'https://www.example.com/', 'direct'],
	['other.test,10.0.0.0/8', 'https://example.com/', 'proxy'],
];

for (const [noProxy, url, expected] of cases) {
	test(`no_proxy ${JSON.stringify(noProxy)}: ${url} goes ${expected}`, (t) => {
		t.is(routeWith(noProxy, url), expected);
	});
}

test('the reason names the no_proxy entry as written and where the list came from', (t) => {
	const router = createRouter(configFrom({ ...PROXIES, NO_PROXY: 'other.test, 10.0.0.0/8' }));
	const decision = router.route('http://10.20.30.40/x', 'replication');
	t.is(decision.reason, 'purpose replication is not proxied');
	const viaNoProxy = createRouter(
		configFrom({ ...PROXIES, NO_PROXY: 'other.test, 10.0.0.0/8' }, 'ip_range_blacklist: []'),
	);
	t.is(
		viaNoProxy.route('http://10.20.30.40/x', 'push').reason,
		"no_proxy entry '10.0.0.0/8' (NO_PROXY (environment))",
	);
	t.is(
		viaNoProxy.route('https://a.other.test/', 'push').reason,
		"no_proxy entry 'other.test' (NO_PROXY (environment))",
	);
});

test("no_proxy '*' says so in the reason", (t) => {
	const router = createRouter(configFrom({ ...PROXIES, no_proxy: '*' }));
	t.is(router.route('https://example.com/', 'push').reason, "no_proxy '*' (no_proxy (environment))");
});

test('YAML no_proxy_hosts wins over the environment list', (t) => {
	const router = createRouter(
		configFrom({ ...PROXIES, no_proxy: 'example.com' }, 'no_proxy_hosts: [other.test]'),
	);
	t.is(router.route('https://example.com/', 'push').route, 'proxy');
	const decision = router.route('https://other.test/', 'push');
	t.is(decision.route, 'direct');
	t.is(decision.reason, "no_proxy entry 'other.test' (no_proxy_hosts (homeserver.yaml))");
});

test('a longer list still decides by the entry that matches, not the first one', (t) => {
	const entries = Array.from({ length: 500 }, (_, index) => `host${index}.example`);
	entries.push('172.16.0.0/12', 'fd00::/8:8448', 'target.example:8443');
	const router = createRouter(
		configFrom({ ...PROXIES, no_proxy: entries.join(',') }, 'ip_range_blacklist: []'),
	);
	t.is(
		router.route('https://x.host499.example/', 'push').reason,
		"no_proxy entry 'host499.example' (no_proxy (environment))",
	);
	t.is(router.route('https://172.31.255.255/', 'push').route, 'direct');
	t.is(router.route('https://[fd00::1]:8448/', 'push').route, 'direct');
	t.is(router.route('https://[fd00::1]:8449/', 'push').route, 'proxy');
	t.is(router.route('https://target.example:8443/', 'push').route, 'direct');
	t.is(router.route('https://host500.example/', 'push').route, 'proxy');
});
