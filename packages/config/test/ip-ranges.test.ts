import test from 'ava';
import { ALWAYS_BLOCKED, ConfigError, DEFAULT_IP_RANGE_BLOCKLIST, parseIpRanges } from '../src/index.js';

const KEY = 'ip_range_blacklist';

test("the default blocklist is Synapse's: 13 IPv4 and 6 IPv6 ranges", (t) => {
	t.deepEqual(
		[...DEFAULT_IP_RANGE_BLOCKLIST],
		[
			'127.0.0.0/8',
			'10.0.0.0/8',
			'172.16.0.0/12',
			'192.168.0.0/16',
			'100.64.0.0/10',
			'192.0.0.0/24',
			'169.254.0.0/16',
			'192.88.99.0/24',
			'198.18.0.0/15',
			'192.0.2.0/24',
			'198.51.100.0/24',
			'203.0.113.0/24',
			'224.0.0.0/4',
			'::1/128',
			'fe80::/10',
			'fc00::/7',
			'2001:db8::/32',
			'ff00::/8',
			'fec0::/10',
		],
	);
	t.deepEqual([...ALWAYS_BLOCKED], ['0.0.0.0', '::']);
	t.true(Object.isFrozen(DEFAULT_IP_RANGE_BLOCKLIST));
});

test('an IPv4 range also yields its mapped, compatible, 6to4 and NAT64 forms', (t) => {
	const ranges = parseIpRanges(['10.0.0.0/8'], KEY);
	t.deepEqual(
		ranges.map(({ network, prefix, family, derivedFrom }) => ({ network, prefix, family, derivedFrom })),
		[
			{ network: '10.0.0.0', prefix: 8, family: 4, derivedFrom: undefined },
			{ network: '::ffff:a00:0', prefix: 104, family: 6, derivedFrom: '10.0.0.0/8' },
			{ network: '::a00:0', prefix: 104, family: 6, derivedFrom: '10.0.0.0/8' },
			{ network: '2002:a00::', prefix: 24, family: 6, derivedFrom: '10.0.0.0/8' },
			{ network: '64:ff9b::a00:0', prefix: 104, family: 6, derivedFrom: '10.0.0.0/8' },
		],
	);
	t.true(ranges.every((range) => range.raw === '10.0.0.0/8'));
});

test('a single IPv4 address is a /32 and its derived forms are /128 and /48', (t) => {
	const ranges = parseIpRanges(['192.168.1.7'], KEY);
	t.deepEqual(
		ranges.map((range) => `${range.network}/${range.prefix}`),
		[
			'192.168.1.7/32',
			'::ffff:c0a8:107/128',
			'::c0a8:107/128',
			'2002:c0a8:107::/48',
			'64:ff9b::c0a8:107/128',
		],
	);
});

test('IPv6 ranges are canonicalised, host bits cleared, and get no derived forms', (t) => {
	const ranges = parseIpRanges(['FE80::1/10', '2001:0DB8::/32', '::1'], KEY);
	t.deepEqual(
		ranges.map((range) => [range.network, range.prefix, range.family, range.raw]),
		[
			['fe80::', 10, 6, 'FE80::1/10'],
			['2001:db8::', 32, 6, '2001:0DB8::/32'],
			['::1', 128, 6, '::1'],
		],
	);
});

test('IPv4 host bits are cleared', (t) => {
	t.is(parseIpRanges(['10.9.8.7/8'], KEY)[0]?.network, '10.0.0.0');
	t.is(parseIpRanges(['172.31.255.255/12'], KEY)[0]?.network, '172.16.0.0');
});

const invalid: [entry: string, reason: RegExp][] = [
	['not-an-ip', /not an IP address or CIDR range/],
	['1.2.3.4/128', /too long for an IPv4 address/],
	[':::', /not an IP address/],
	['10.0.0.0/', /must be a number/],
	['10.0.0/8', /not an IP address/],
	['fe80::/200', /too long for an IPv6 address/],
	['', /not an IP address/],
];

for (const [entry, reason] of invalid) {
	test(`IP range ${JSON.stringify(entry)} is an error naming the key, index and entry`, (t) => {
		const error = t.throws(() => parseIpRanges(['10.0.0.0/8', entry], KEY), { instanceOf: ConfigError });
		t.deepEqual(
			error.problems.map((problem) => [problem.key, problem.value]),
			[[`${KEY}[1]`, JSON.stringify(entry)]],
		);
		t.regex(error.problems[0]?.reason ?? '', reason);
	});
}

test('all invalid ranges are reported together', (t) => {
	const error = t.throws(() => parseIpRanges(['not-an-ip', '1.2.3.4/128', ':::'], KEY), {
		instanceOf: ConfigError,
	});
	t.is(error.problems.length, 3);
	t.regex(error.message, /3 problems/);
});
