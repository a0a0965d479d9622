import test from 'ava';
import { describeConfig, loadConfig, redactConfig } from '../src/index.js';
import { load } from './helpers.js';

test('describeConfig summarises proxies, no_proxy and every purpose', (t) => {
	const config = load(
		'server_name: example.org\nhttps_proxy: https://alice:pw@proxy.example:3128\nno_proxy_hosts: [a.example, "*"]',
		{ http_proxy: 'proxy.example:8080' },
	);
	const text = describeConfig(config);
	t.regex(text, /^configuration: \/srv\/synapse\/homeserver\.yaml$/m);
	t.regex(text, /^server_name: +example\.org$/m);
	t.regex(text, /^http_proxy: +http:\/\/proxy\.example:8080 \(from http_proxy \(environment\)\)$/m);
	t.regex(
		text,
		/^https_proxy: +https:\/\/alice:\*\*\*@proxy\.example:3128 \(from https_proxy \(homeserver\.yaml\)\)$/m,
	);
	t.regex(text, /^no_proxy: +2 entries, including "\*" \(nothing is proxied\)/m);
	t.regex(
		text,
		/^ {2}federation +proxied \(https_proxy only\) +blocklist ip_range_blacklist \(\d+ ranges\); TLS federation$/m,
	);
	t.regex(text, /^ {2}appservice +direct +no IP policy; TLS default$/m);
	t.regex(text, /^ {2}replication +direct +no IP policy; TLS default$/m);
});

test('describeConfig for built-in defaults says so and lists warnings', (t) => {
	const text = describeConfig(loadConfig({ env: { ALL_PROXY: 'x:1' }, cwd: '/tmp' }));
	t.regex(text, /^configuration: built-in defaults$/m);
	t.regex(text, /^http_proxy: +none$/m);
	t.regex(text, /^no_proxy: +none$/m);
	t.regex(text, /^warnings:\n {2}- ALL_PROXY is set/m);
});

test('redactConfig is a plain JSON copy with proxies as redacted URLs', (t) => {
	const config = load('http_proxy: http://bob:pw@proxy.example:1');
	const plain = redactConfig(config) as { proxy: { http: unknown }; serverName: string };
	t.is(plain.proxy.http, 'http://bob:***@proxy.example:1');
	t.is(plain.serverName, 'localhost');
	t.false(Object.isFrozen(plain));
});
