import test from 'ava';
import { canonicalCidr, canonicalIp } from '../src/index.js';

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
	test(`canonicalIp(${JSON.stringify(input)}) is ${address ?? 'not an address'}`, (t) => {
		t.deepEqual(canonicalIp(input), address === undefined ? undefined : { address, family });
	});
}

test('canonicalIp keeps IPv4-mapped addresses as IPv6 when asked', (t) => {
	t.deepEqual(canonicalIp('::ffff:10.0.0.1', false), { address: '::ffff:a00:1', family: 6 });
});

test('canonicalCidr clears host bits and folds mapped ranges', (t) => {
	t.deepEqual(canonicalCidr('192.168.7.9/16'), { network: '192.168.0.0', prefix: 16, family: 4 });
	t.deepEqual(canonicalCidr('2001:db8:1:2::5/33'), { network: '2001:db8::', prefix: 33, family: 6 });
	t.deepEqual(canonicalCidr('::ffff:192.168.0.0/112'), { network: '192.168.0.0', prefix: 16, family: 4 });
	t.deepEqual(canonicalCidr('::ffff:192.168.0.0/112', false), {
		network: '::ffff:c0a8:0',
		prefix: 112,
		family: 6,
	});
	t.deepEqual(canonicalCidr('10.0.0.7'), { network: '10.0.0.7', prefix: 32, family: 4 });
	t.deepEqual(canonicalCidr('::/0'), { network: '::', prefix: 0, family: 6 });
});

test('canonicalCidr gives a reason for invalid ranges', (t) => {
	t.regex(canonicalCidr('1.2.3.4/128') as string, /too long/);
	t.regex(canonicalCidr('1.2.3.4/-1') as string, /must be a number/);
	t.regex(canonicalCidr('nope/8') as string, /not an IP address/);
});
