import { BlockList, isIPv6 } from 'node:net';
import test from 'ava';
import fc from 'fast-check';
import { formatIp, parseIp } from '../src/ip/ip-address.js';
import type { IpAddress } from '../src/ip/ip-address.js';
import { PrefixTable } from '../src/ip/prefix-table.js';

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join('.'));
const v6 = fc
	.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 })
	.map((groups) => groups.map((g) => g.toString(16)).join(':'));

test('IPv4 and IPv6 parse to the canonical text Node and URL agree on', (t) => {
	fc.assert(
		fc.property(fc.oneof(v4, v6), (text) => {
			const parsed = parseIp(text);
			if (parsed === undefined) return false;
			const canonical = isIPv6(text) ? new URL(`http://[${text}]/`).hostname.slice(1, -1) : text;
			const folded = canonical.startsWith('::ffff:') && parsed.family === 4;
			return folded || formatIp(parsed) === canonical;
		}),
	);
	t.pass();
});

test('malformed addresses and zone ids do not parse', (t) => {
	for (const text of [
		'',
		'1.2.3',
		'1.2.3.4.5',
		'256.1.1.1',
		'01.2.3.4',
		'1.2.3.-1',
		':::',
		'1::2::3',
		'fe80::1%eth0',
		'::g',
		'[::1',
		'1:2:3:4:5:6:7:8:9',
		'example.com',
		'::1:',
		':1::',
		'12345::',
		'1:2:3:4:5:6:7:8::',
		'::ffff:1.2.3',
		'1.2.3.4::',
	]) {
		t.is(parseIp(text), undefined, text);
	}
	t.deepEqual(parseIp('::ffff:10.0.0.1'), { family: 4, value: 0x0a000001 });
	t.deepEqual(parseIp('[::1]'), { family: 6, value: 1n });
	t.deepEqual(parseIp('1::'), { family: 6, value: 1n << 112n });
	t.deepEqual(parseIp('1:2:3:4:5:6:7::'), { family: 6, value: parseIp('1:2:3:4:5:6:7:0')?.value });
	t.deepEqual(parseIp('::1.2.3.4'), { family: 6, value: 0x01020304n });
});

test('prefix-table lookups agree with net.BlockList on random ranges and addresses', (t) => {
	const range = fc.oneof(
		fc
			.tuple(v4, fc.integer({ min: 0, max: 32 }))
			.map(([address, prefix]) => ({ address, prefix, family: 'ipv4' as const })),
		fc
			.tuple(v6, fc.integer({ min: 0, max: 128 }))
			.map(([address, prefix]) => ({ address, prefix, family: 'ipv6' as const })),
	);
	fc.assert(
		fc.property(
			fc.array(range, { maxLength: 30 }),
			fc.array(fc.oneof(v4, v6), { minLength: 1, maxLength: 30 }),
			(ranges, addresses) => {
				const table = new PrefixTable<string>();
				// One reference list per family: BlockList also matches IPv4 addresses against IPv6 rules (mapped form).
				const reference = { ipv4: new BlockList(), ipv6: new BlockList() };
				for (const { address, prefix, family } of ranges) {
					const parsed = parseIp(address) as IpAddress;
					if (parsed.family === 4 && family === 'ipv6') continue; // mapped ranges are folded separately
					table.upsert(parsed, prefix, () => `${address}/${prefix}`);
					reference[family].addSubnet(address, prefix, family);
				}
				return addresses.every((address) => {
					const parsed = parseIp(address) as IpAddress;
					if (parsed.family === 4 && isIPv6(address)) return true;
					const ours = table.find(parsed, () => true) === true;
					const family = isIPv6(address) ? 'ipv6' : 'ipv4';
					return ours === reference[family].check(address, family);
				});
			},
		),
		{ numRuns: 300 },
	);
	t.pass();
});

test('the longest matching prefix is visited first', (t) => {
	const table = new PrefixTable<string>();
	for (const [network, prefix] of [
		['10.0.0.0', 8],
		['10.1.0.0', 16],
		['10.1.2.0', 24],
		['0.0.0.0', 0],
	] as const) {
		table.upsert(parseIp(network) as IpAddress, prefix, () => `${network}/${prefix}`);
	}
	const seen: string[] = [];
	table.find(parseIp('10.1.2.3') as IpAddress, (payload) => void seen.push(payload));
	t.deepEqual(seen, ['10.1.2.0/24', '10.1.0.0/16', '10.0.0.0/8', '0.0.0.0/0']);
});
