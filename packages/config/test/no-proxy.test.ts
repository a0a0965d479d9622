import test from 'ava';
import { ConfigError, parseNoProxy } from '../src/index.js';
import type { NoProxyEntry } from '../src/index.js';

const SOURCE = 'NO_PROXY (environment)';

/** An entry with its range as canonical text, for comparison. */
type Viewed<T> = T extends { cidr: unknown } ? Omit<T, 'raw' | 'cidr'> & { cidr: string } : Omit<T, 'raw'>;

const view = (entry: NoProxyEntry): Viewed<NoProxyEntry> & { raw: string } =>
	'cidr' in entry ? { ...entry, cidr: String(entry.cidr) } : entry;

const entries: [raw: string, expected: Viewed<NoProxyEntry>][] = [
	['*', { kind: 'wildcard' }],
	['example.com', { kind: 'domain', domain: 'example.com', port: undefined }],
	['.example.com', { kind: 'domain', domain: 'example.com', port: undefined }],
	['*.example.com', { kind: 'domain', domain: 'example.com', port: undefined }],
	['Example.COM.', { kind: 'domain', domain: 'example.com', port: undefined }],
	['.example.com..', { kind: 'domain', domain: 'example.com', port: undefined }],
	['bücher.example', { kind: 'domain', domain: 'xn--bcher-kva.example', port: undefined }],
	['XN--BCHER-KVA.example', { kind: 'domain', domain: 'xn--bcher-kva.example', port: undefined }],
	['localhost', { kind: 'domain', domain: 'localhost', port: undefined }],
	['internal_host.corp', { kind: 'domain', domain: 'internal_host.corp', port: undefined }],
	['example.com:8448', { kind: 'domain', domain: 'example.com', port: 8448 }],
	['10.1.2.3', { kind: 'ip', cidr: '10.1.2.3/32', port: undefined }],
	['10.1.2.3:80', { kind: 'ip', cidr: '10.1.2.3/32', port: 80 }],
	['::1', { kind: 'ip', cidr: '::1/128', port: undefined }],
	['::0:1', { kind: 'ip', cidr: '::1/128', port: undefined }],
	['[::1]', { kind: 'ip', cidr: '::1/128', port: undefined }],
	['[::1]:8448', { kind: 'ip', cidr: '::1/128', port: 8448 }],
	['2001:DB8:0:0:0:0:0:1', { kind: 'ip', cidr: '2001:db8::1/128', port: undefined }],
	['::ffff:10.0.0.1', { kind: 'ip', cidr: '10.0.0.1/32', port: undefined }],
	['[::ffff:10.0.0.1]:443', { kind: 'ip', cidr: '10.0.0.1/32', port: 443 }],
	['10.0.0.0/8', { kind: 'cidr', cidr: '10.0.0.0/8', port: undefined }],
	['10.1.2.3/16', { kind: 'cidr', cidr: '10.1.0.0/16', port: undefined }],
	['10.0.0.0/8:443', { kind: 'cidr', cidr: '10.0.0.0/8', port: 443 }],
	['172.30.0.0/16', { kind: 'cidr', cidr: '172.30.0.0/16', port: undefined }],
	['0.0.0.0/0', { kind: 'cidr', cidr: '0.0.0.0/0', port: undefined }],
	['fd12:3456::1/7', { kind: 'cidr', cidr: 'fc00::/7', port: undefined }],
	['FE80::/10', { kind: 'cidr', cidr: 'fe80::/10', port: undefined }],
	['[fd00::/8]:8448', { kind: 'cidr', cidr: 'fd00::/8', port: 8448 }],
	['::ffff:10.0.0.0/104', { kind: 'cidr', cidr: '10.0.0.0/8', port: undefined }],
	['1.2.3.4/32', { kind: 'cidr', cidr: '1.2.3.4/32', port: undefined }],
	['::/0', { kind: 'cidr', cidr: '::/0', port: undefined }],
	['::ffff:0:0/96', { kind: 'cidr', cidr: '0.0.0.0/0', port: undefined }],
];

for (const [raw, expected] of entries) {
	test(`no_proxy entry ${JSON.stringify(raw)} parses as ${expected.kind}`, (t) => {
		const list = parseNoProxy(raw, SOURCE);
		t.deepEqual(list.entries.map(view), [{ ...expected, raw }]);
		t.is(list.matchAll, expected.kind === 'wildcard');
		t.is(list.source, SOURCE);
	});
}

test('entries are split on commas and whitespace and trimmed; empty ones are skipped', (t) => {
	const list = parseNoProxy(' a.example , b.example\tc.example\n,,  d.example ,', SOURCE);
	t.deepEqual(
		list.entries.map((entry) => (entry.kind === 'domain' ? entry.domain : entry.kind)),
		['a.example', 'b.example', 'c.example', 'd.example'],
	);
});

test('a YAML list may hold comma-separated items too', (t) => {
	const list = parseNoProxy(['a.example', 'b.example,10.0.0.0/8'], 'no_proxy_hosts (homeserver.yaml)');
	t.deepEqual(
		list.entries.map((entry) => entry.kind),
		['domain', 'domain', 'cidr'],
	);
});

test('"*" anywhere in the list means nothing is proxied', (t) => {
	t.true(parseNoProxy('example.com,*', SOURCE).matchAll);
	t.false(parseNoProxy('example.com', SOURCE).matchAll);
});

test('an empty value is an empty list', (t) => {
	t.deepEqual(parseNoProxy('', SOURCE).entries, []);
	t.deepEqual(parseNoProxy([], SOURCE).entries, []);
});

const invalid: [raw: string, reason: RegExp][] = [
	['10.0.0.0/33', /prefix \/33 is too long/],
	['1.2.3.4/128', /too long for an IPv4 address/],
	['fd00::/129', /too long for an IPv6 address/],
	['10.0.0.0/x', /prefix length .* must be a number/],
	['not-an-ip/8', /not an IP address or CIDR range/],
	[':::', /not a valid IP address/],
	['1.2.3', /write IPv4 addresses as four decimal numbers/],
	['010.0.0.1', /four decimal numbers/],
	['example.com:0', /port 0 is out of range/],
	['example.com:70000', /port 70000 is out of range/],
	['example.com:http', /port after ":" must be a number/],
	['[::1', /not closed/],
	['[::1]x', /expected ":port"/],
	['[example.com]', /only IPv6 addresses go inside/],
	['foo*.example.com', /"\*" is only allowed alone/],
	['**.example.com', /"\*" is only allowed alone/],
	['-bad.example', /not a valid host name/],
	['a..b', /not a valid host name/],
	['http://example.com', /not a URL/],
	['fe80::1%eth0', /not a valid IP address/],
	['xn--zz.example', /not a valid host name/],
];

for (const [raw, reason] of invalid) {
	test(`no_proxy entry ${JSON.stringify(raw)} is a configuration error naming it`, (t) => {
		const error = t.throws(() => parseNoProxy(`ok.example,${raw}`, SOURCE), { instanceOf: ConfigError });
		t.is(error.problems.length, 1);
		t.is(error.problems[0]?.key, SOURCE);
		t.is(error.problems[0]?.value, JSON.stringify(raw));
		t.regex(error.problems[0]?.reason ?? '', reason);
	});
}

test('every invalid entry is reported at once, with its list index for YAML lists', (t) => {
	const error = t.throws(
		() => parseNoProxy(['good.example', '1.2.3.4/99', 'x..y', '::g'], 'no_proxy_hosts (homeserver.yaml)'),
		{
			instanceOf: ConfigError,
		},
	);
	t.deepEqual(
		error.problems.map((problem) => problem.key),
		[
			'no_proxy_hosts[1] (homeserver.yaml)',
			'no_proxy_hosts[2] (homeserver.yaml)',
			'no_proxy_hosts[3] (homeserver.yaml)',
		],
	);
});

test('100,000 entries of every kind parse (the benchmark in bench/ times it)', (t) => {
	const items: string[] = [];
	for (let index = 0; index < 25_000; index++) {
		const a = index >> 8;
		const b = index & 0xff;
		items.push(
			`host${index}.example.com`,
			`10.${a}.${b}.1`,
			`172.${a % 256}.${b}.0/24`,
			`fd00:${index.toString(16)}::/64`,
		);
	}
	const list = parseNoProxy(items.join(','), SOURCE);
	t.is(list.entries.length, 100_000);
	t.deepEqual(view(list.entries[3] as NoProxyEntry), {
		kind: 'cidr',
		cidr: 'fd00::/64',
		port: undefined,
		raw: 'fd00:0::/64',
	});
});
