import test from 'ava';
import { formatIp, parseIp } from '../src/index.js';
import { IpCidr, matchingCidrs, parseCidr } from '../src/ip/cidr.js';
import { parseIpExact } from '../src/ip/ip-address.js';

const addresses: [input: string, address: string | undefined, family?: 4 | 6][] = [
	['10.0.0.1', '10.0.0.1', 4],
	['::0:1', '::1', 6],
	['[::1]', '::1', 6],
	['0:0:0:0:0:0:0:1', '::1', 6],
	['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1', 6],
	['::ffff:10.0.0.1', '10.0.0.1', 4],
	['::ffff:a00:1', '10.0.0.1', 4],
	['64:ff9b::10.0.0.1', '64:ff9b::a00:1', 6],
	['127.1', undefined],
	['010.0.0.1', undefined],
	['256.0.0.1', undefined],
	[':::', undefined],
	['fe80::1%eth0', undefined],
	['example.com', undefined],
	['', undefined],
];

for (const [input, address, family] of addresses) {
	test(`parseIp(${JSON.stringify(input)}) is ${address ?? 'not an address'}`, (t) => {
		const parsed = parseIp(input);
		t.deepEqual(
			parsed === undefined ? undefined : { address: formatIp(parsed), family: parsed.family },
			address === undefined ? undefined : { address, family },
		);
	});
}

test('parseIpExact keeps IPv4-mapped addresses as IPv6', (t) => {
	const parsed = parseIpExact('::ffff:10.0.0.1');
	t.is(parsed?.family, 6);
	t.is(parsed === undefined ? undefined : formatIp(parsed), '::ffff:a00:1');
});

test('parseCidr clears host bits and keeps ranges as written; matchingCidrs folds mapped ranges', (t) => {
	t.is(String(parseCidr('192.168.7.9/16')), '192.168.0.0/16');
	t.is(String(parseCidr('2001:db8:1:2::5/33')), '2001:db8::/33');
	const mapped = parseCidr('::ffff:192.168.0.0/112') as IpCidr;
	t.is(String(mapped), '::ffff:c0a8:0/112');
	t.deepEqual(matchingCidrs(mapped).map(String), ['192.168.0.0/16']);
	t.is(String(parseCidr('10.0.0.7')), '10.0.0.7/32');
	t.is(String(parseCidr('::/0')), '::/0');
	t.is(String(parseCidr('[fd00::1]/8')), 'fd00::/8');
});

test('parseCidr gives a reason for invalid ranges', (t) => {
	t.regex(parseCidr('1.2.3.4/128') as string, /too long/);
	t.regex(parseCidr('1.2.3.4/-1') as string, /must be a number/);
	t.regex(parseCidr('nope/8') as string, /not an IP address/);
	t.regex(parseCidr('fe80::1%eth0/64') as string, /not an IP address/);
});

test('an IpCidr contains exactly the addresses of its range, compared after the mapped fold', (t) => {
	const range = parseCidr('10.0.0.0/8') as IpCidr;
	const contains = (text: string): boolean => range.contains(parseIp(text) ?? { family: 4, value: -1 });
	t.true(contains('10.255.255.255'));
	t.true(contains('::ffff:10.1.2.3'));
	t.false(contains('11.0.0.0'));
	t.false(contains('::a00:1'));
	t.is(JSON.stringify({ range }), '{"range":"10.0.0.0/8"}');
	t.true(range instanceof IpCidr);
});
