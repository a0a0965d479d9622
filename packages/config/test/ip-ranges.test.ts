import test from 'ava';
import { ALWAYS_BLOCKED, ConfigError, DEFAULT_IP_RANGE_BLOCKLIST, parseIpRanges } from '../src/index.js';
import { NOT_GLOBALLY_REACHABLE, SYNAPSE_IP_RANGE_BLOCKLIST } from '../src/ip-ranges.js';

const KEY = 'ip_range_blacklist';

test("Synapse's default blocklist is copied exactly: 13 IPv4 and 6 IPv6 ranges", (t) => {
	t.deepEqual(
		[...SYNAPSE_IP_RANGE_BLOCKLIST],
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
	t.true(Object.isFrozen(SYNAPSE_IP_RANGE_BLOCKLIST));
	t.true(Object.isFrozen(DEFAULT_IP_RANGE_BLOCKLIST));
});

test("the default blocklist is Synapse's plus the IANA special-purpose ranges that are not globally reachable", (t) => {
	t.deepEqual([...DEFAULT_IP_RANGE_BLOCKLIST], [...SYNAPSE_IP_RANGE_BLOCKLIST, ...NOT_GLOBALLY_REACHABLE]);
	t.deepEqual(
		[...NOT_GLOBALLY_REACHABLE],
		[
			'0.0.0.0/8',
			'240.0.0.0/4',
			'255.255.255.255/32',
			'::ffff:0:0:0/96',
			'64:ff9b:1::/48',
			'100::/64',
			'100:0:0:1::/64',
			'2001::/32',
			'2001:2::/48',
			'2001:10::/28',
			'3fff::/20',
			'5f00::/16',
		],
	);
	t.true(Object.isFrozen(NOT_GLOBALLY_REACHABLE));
	// Every entry is a valid range that parses as written (no host bits set).
	for (const entry of NOT_GLOBALLY_REACHABLE) {
		t.is(String(parseIpRanges([entry], KEY)[0]?.cidr), entry, entry);
	}
});

test('an IPv4 range also yields its compatible, 6to4 and NAT64 forms (mapped addresses are matched as IPv4)', (t) => {
	const ranges = parseIpRanges(['10.0.0.0/8'], KEY);
	t.deepEqual(
		ranges.map(({ cidr, derivedFrom }) => ({ cidr: String(cidr), family: cidr.family, derivedFrom })),
		[
			{ cidr: '10.0.0.0/8', family: 4, derivedFrom: undefined },
			{ cidr: '::a00:0/104', family: 6, derivedFrom: '10.0.0.0/8' },
			{ cidr: '2002:a00::/24', family: 6, derivedFrom: '10.0.0.0/8' },
			{ cidr: '64:ff9b::a00:0/104', family: 6, derivedFrom: '10.0.0.0/8' },
		],
	);
	t.true(ranges.every((range) => range.raw === '10.0.0.0/8'));
});

test('a single IPv4 address is a /32 and its derived forms are /128 and /48', (t) => {
	const ranges = parseIpRanges(['192.168.1.7'], KEY);
	t.deepEqual(
		ranges.map((range) => String(range.cidr)),
		['192.168.1.7/32', '::c0a8:107/128', '2002:c0a8:107::/48', '64:ff9b::c0a8:107/128'],
	);
});

test('IPv6 ranges are canonicalised, host bits cleared, and get no derived forms', (t) => {
	const ranges = parseIpRanges(['FE80::1/10', '2001:0DB8::/32', '::1'], KEY);
	t.deepEqual(
		ranges.map((range) => [String(range.cidr), range.cidr.family, range.raw]),
		[
			['fe80::/10', 6, 'FE80::1/10'],
			['2001:db8::/32', 6, '2001:0DB8::/32'],
			['::1/128', 6, '::1'],
		],
	);
});

test('IPv4 host bits are cleared', (t) => {
	t.is(String(parseIpRanges(['10.9.8.7/8'], KEY)[0]?.cidr), '10.0.0.0/8');
	t.is(String(parseIpRanges(['172.31.255.255/12'], KEY)[0]?.cidr), '172.16.0.0/12');
});

test("an IPv4-mapped IPv6 range is the IPv4 range it carries, with that range's derived forms", (t) => {
	const ranges = parseIpRanges(['::ffff:10.0.0.0/104'], KEY);
	t.deepEqual(
		ranges.map((range) => [String(range.cidr), range.derivedFrom]),
		[
			['10.0.0.0/8', '::ffff:a00:0/104'],
			['::a00:0/104', '10.0.0.0/8'],
			['2002:a00::/24', '10.0.0.0/8'],
			['64:ff9b::a00:0/104', '10.0.0.0/8'],
		],
	);
});

test('an IPv6 range that contains the IPv4-mapped space also covers every IPv4 address', (t) => {
	for (const written of ['::/0', '::/64', '::/80', '0:0:0:0:0:ffff::/96']) {
		const ranges = parseIpRanges([written], KEY);
		t.true(
			ranges.some((range) => String(range.cidr) === '0.0.0.0/0' && range.derivedFrom !== undefined),
			written,
		);
	}
	t.deepEqual(
		parseIpRanges(['::/0'], KEY)
			.slice(0, 2)
			.map((range) => [String(range.cidr), range.derivedFrom]),
		[
			['::/0', undefined],
			['0.0.0.0/0', '::/0'],
		],
	);
	// Ranges beside the mapped space do not.
	for (const written of ['::/96', '::/97', '::1:0:0/96', '::ffff:0:0:0/96', '64:ff9b::/96', 'fe80::/10']) {
		t.false(
			parseIpRanges([written], KEY).some((range) => range.cidr.family === 4),
			written,
		);
	}
});

test('IP ranges serialise as their canonical text (the configuration stays JSON)', (t) => {
	const ranges = parseIpRanges(['FE80::1/10', '10.0.0.1'], KEY);
	t.deepEqual(JSON.parse(JSON.stringify(ranges.slice(0, 2))), [
		{ cidr: 'fe80::/10', raw: 'FE80::1/10' },
		{ cidr: '10.0.0.1/32', raw: '10.0.0.1' },
	]);
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
