/**
 * The destination forms the SSRF tests try. Each IP-literal form is a URL template (`{s}` is the scheme) and the
 * canonical address the refusal must name; `null` marks URLs the WHATWG parser itself rejects (zone ids), which
 * must be refused as invalid. Every address here is blocked by the default policy.
 */

/** One IP-literal destination spelling. */
export interface LiteralForm {
	readonly url: string;
	/** The address the refusal names (IPv4-mapped forms fold to IPv4), or null for an invalid URL. */
	readonly address: string | null;
	readonly note: string;
}

const host = (spelling: string, address: string | null, note: string): LiteralForm => ({
	url: `{s}://${spelling}/`,
	address,
	note,
});

/** Loopback and "this host" in every IPv4 spelling WHATWG URL accepts. */
const LOOPBACK_V4: LiteralForm[] = [
	host('127.0.0.1', '127.0.0.1', 'dotted quad'),
	host('127.0.0.2', '127.0.0.2', 'another loopback address'),
	host('127.255.255.254', '127.255.255.254', 'top of 127/8'),
	host('127.1', '127.0.0.1', 'short form a.d'),
	host('127.0.1', '127.0.0.1', 'short form a.b.d'),
	host('2130706433', '127.0.0.1', 'decimal integer'),
	host('2130706434', '127.0.0.2', 'decimal integer, .2'),
	host('0x7f000001', '127.0.0.1', 'hex integer'),
	host('0X7F000001', '127.0.0.1', 'hex integer, upper case'),
	host('0x7f.1', '127.0.0.1', 'hex short form'),
	host('0x7F.0x0.0x0.0x1', '127.0.0.1', 'hex per part, mixed case'),
	host('0177.0.0.1', '127.0.0.1', 'octal first part'),
	host('0177.1', '127.0.0.1', 'octal short form'),
	host('017700000001', '127.0.0.1', 'octal integer'),
	host('127.000.000.001', '127.0.0.1', 'zero-padded (octal) parts'),
	host('0x7f.0.0.01', '127.0.0.1', 'hex and octal mixed'),
	host('127.0.0.1.', '127.0.0.1', 'trailing dot'),
	host('0x7f.1.', '127.0.0.1', 'hex short form, trailing dot'),
	host('%31%32%37.0.0.1', '127.0.0.1', 'percent-encoded digits'),
	host('\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11', '127.0.0.1', 'full-width digits and dots'),
	host('127\u30020\u30020\u30021', '127.0.0.1', 'ideographic full stops'),
	host('127.0.0.1:80', '127.0.0.1', 'explicit port 80'),
	host('127.0.0.1:8448', '127.0.0.1', 'federation port'),
	{ url: '{s}://user:pw@127.0.0.1/', address: '127.0.0.1', note: 'user info' },
	{ url: '{s}://example.com@127.0.0.1/', address: '127.0.0.1', note: 'a name as user info' },
	{ url: '{s}://127.0.0.1\\@example.com/', address: '127.0.0.1', note: 'backslash ends the authority' },
	{ url: '{s}://127.0.0.1#@example.com/', address: '127.0.0.1', note: 'fragment hides a name' },
	{ url: '{s}:/127.0.0.2/', address: '127.0.0.2', note: 'one slash after a special scheme' },
	{ url: '{s}:\\\\127.0.0.2/', address: '127.0.0.2', note: 'backslashes after the scheme' },
	{ url: '  {s}://127.0.0.2/', address: '127.0.0.2', note: 'leading spaces' },
	{ url: '{s}://12\n7.0.0.2/', address: '127.0.0.2', note: 'newline inside the host' },
	{ url: '{s}://127.0\t.0.2/', address: '127.0.0.2', note: 'tab inside the host' },
	{ url: '{S}://127.0.0.2/', address: '127.0.0.2', note: 'upper-case scheme' },
	host('0.0.0.0', '0.0.0.0', 'unspecified'),
	host('0', '0.0.0.0', 'unspecified as one number'),
	host('0x0', '0.0.0.0', 'unspecified in hex'),
	host('000.000.000.000', '0.0.0.0', 'unspecified, zero-padded'),
	host('0.0', '0.0.0.0', 'unspecified, short form'),
];

/** Private, shared, link-local (cloud metadata), special-purpose and multicast IPv4. */
const SPECIAL_V4: LiteralForm[] = [
	host('10.0.0.1', '10.0.0.1', 'RFC 1918 10/8'),
	host('10.255.255.255', '10.255.255.255', 'top of 10/8'),
	host('012.0.0.1', '10.0.0.1', '10/8 in octal'),
	host('0xa.0.0.1', '10.0.0.1', '10/8 in hex'),
	host('167772161', '10.0.0.1', '10/8 as an integer'),
	host('10.1', '10.0.0.1', '10/8 short form'),
	host('0xA000001', '10.0.0.1', '10/8 as a hex integer'),
	host('172.16.0.1', '172.16.0.1', 'RFC 1918 172.16/12'),
	host('172.31.255.254', '172.31.255.254', 'top of 172.16/12'),
	host('0xac.0x10.0.1', '172.16.0.1', '172.16/12 in hex'),
	host('2886729729', '172.16.0.1', '172.16/12 as an integer'),
	host('0254.020.0.1', '172.16.0.1', '172.16/12 in octal'),
	host('192.168.0.1', '192.168.0.1', 'RFC 1918 192.168/16'),
	host('3232235777', '192.168.1.1', '192.168/16 as an integer'),
	host('0300.0250.1.1', '192.168.1.1', '192.168/16 in octal'),
	host('192.168.257', '192.168.1.1', '192.168/16 short form'),
	host('0xc0a80101', '192.168.1.1', '192.168/16 as a hex integer'),
	host('100.64.0.1', '100.64.0.1', 'carrier-grade NAT'),
	host('100.127.255.254', '100.127.255.254', 'top of CGNAT'),
	host('1681915905', '100.64.0.1', 'CGNAT as an integer'),
	host('169.254.169.254', '169.254.169.254', 'cloud metadata'),
	host('0xa9fea9fe', '169.254.169.254', 'metadata as a hex integer'),
	host('2852039166', '169.254.169.254', 'metadata as an integer'),
	host('0251.0376.0251.0376', '169.254.169.254', 'metadata in octal'),
	host('169.254.43518', '169.254.169.254', 'metadata short form'),
	host('0xA9.0xFE.0xA9.0xFE', '169.254.169.254', 'metadata in upper-case hex'),
	host('169.254.170.2', '169.254.170.2', 'container metadata'),
	host('169.254.0.1', '169.254.0.1', 'link-local'),
	host('192.0.0.170', '192.0.0.170', 'IETF protocol assignments'),
	host('192.0.2.1', '192.0.2.1', 'TEST-NET-1'),
	host('198.51.100.7', '198.51.100.7', 'TEST-NET-2'),
	host('203.0.113.9', '203.0.113.9', 'TEST-NET-3'),
	host('198.18.0.1', '198.18.0.1', 'benchmarking'),
	host('198.19.255.255', '198.19.255.255', 'top of benchmarking'),
	host('192.88.99.1', '192.88.99.1', 'former 6to4 relay anycast'),
	host('224.0.0.1', '224.0.0.1', 'multicast'),
	host('239.255.255.250', '239.255.255.250', 'SSDP multicast'),
	host('0xe0000001', '224.0.0.1', 'multicast as a hex integer'),
];

/** IPv6: loopback, unspecified, IPv4 carried in mapped/compatible/6to4/NAT64 forms, scoped and private ranges. */
const V6: LiteralForm[] = [
	host('[::1]', '::1', 'IPv6 loopback'),
	host('[0:0:0:0:0:0:0:1]', '::1', 'loopback uncompressed'),
	host('[0000:0000:0000:0000:0000:0000:0000:0001]', '::1', 'loopback zero-padded'),
	host('[::0:1]', '::1', 'loopback, odd compression'),
	host('[0::1]', '::1', 'loopback, leading zero group'),
	host('[::0.0.0.1]', '::1', 'loopback in dotted tail'),
	host('[::]', '::', 'unspecified'),
	host('[0:0:0:0:0:0:0:0]', '::', 'unspecified uncompressed'),
	host('[::ffff:127.0.0.1]', '127.0.0.1', 'IPv4-mapped loopback'),
	host('[::ffff:7f00:1]', '127.0.0.1', 'IPv4-mapped loopback, hex'),
	host('[::FFFF:7F00:0001]', '127.0.0.1', 'IPv4-mapped loopback, upper case'),
	host('[0:0:0:0:0:ffff:127.0.0.1]', '127.0.0.1', 'IPv4-mapped, uncompressed'),
	host('[::ffff:10.0.0.1]', '10.0.0.1', 'IPv4-mapped private'),
	host('[::ffff:a9fe:a9fe]', '169.254.169.254', 'IPv4-mapped metadata'),
	host('[::ffff:192.168.1.1]', '192.168.1.1', 'IPv4-mapped private, dotted'),
	host('[::ffff:0.0.0.0]', '0.0.0.0', 'IPv4-mapped unspecified'),
	host('[::127.0.0.1]', '::7f00:1', 'IPv4-compatible loopback'),
	host('[::7f00:2]', '::7f00:2', 'IPv4-compatible loopback, hex'),
	host('[::10.0.0.1]', '::a00:1', 'IPv4-compatible private'),
	host('[::a9fe:a9fe]', '::a9fe:a9fe', 'IPv4-compatible metadata'),
	host('[2002:7f00:1::]', '2002:7f00:1::', '6to4 of loopback'),
	host('[2002:7f00:0001::1]', '2002:7f00:1::1', '6to4 of loopback, padded'),
	host('[2002:a00:1::]', '2002:a00:1::', '6to4 of 10/8'),
	host('[2002:a9fe:a9fe::]', '2002:a9fe:a9fe::', '6to4 of metadata'),
	host('[2002:c0a8:101::1]', '2002:c0a8:101::1', '6to4 of 192.168/16'),
	host('[64:ff9b::7f00:1]', '64:ff9b::7f00:1', 'NAT64 of loopback'),
	host('[64:ff9b::127.0.0.1]', '64:ff9b::7f00:1', 'NAT64 of loopback, dotted tail'),
	host('[64:ff9b::a9fe:a9fe]', '64:ff9b::a9fe:a9fe', 'NAT64 of metadata'),
	host('[64:ff9b::10.0.0.1]', '64:ff9b::a00:1', 'NAT64 of 10/8'),
	host('[64:FF9B::C0A8:101]', '64:ff9b::c0a8:101', 'NAT64 of 192.168/16, upper case'),
	host('[fe80::1]', 'fe80::1', 'link-local'),
	host('[FE80::1]', 'fe80::1', 'link-local, upper case'),
	host('[febf:ffff::1]', 'febf:ffff::1', 'top of fe80::/10'),
	host('[fe80::1%25eth0]', null, 'link-local with a zone id'),
	host('[fe80::1%25lo]', null, 'zone id lo'),
	host('[::1%251]', null, 'loopback with a numeric zone id'),
	host('[fe80::1%eth0]', null, 'unescaped zone id'),
	host('[fc00::1]', 'fc00::1', 'unique local'),
	host('[fd00::1]', 'fd00::1', 'unique local fd'),
	host(
		'[fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]',
		'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
		'top of fc00::/7',
	),
	host('[fd00:ec2::254]', 'fd00:ec2::254', 'cloud metadata over IPv6'),
	host('[fec0::1]', 'fec0::1', 'site-local'),
	host('[2001:db8::1]', '2001:db8::1', 'documentation'),
	host('[2001:DB8:0:0:0:0:0:1]', '2001:db8::1', 'documentation, uncompressed upper case'),
	host('[ff02::1]', 'ff02::1', 'multicast all nodes'),
	host('[ff05::1:3]', 'ff05::1:3', 'multicast DHCP'),
];

/** Every blocked IP-literal form. */
export const LITERAL_FORMS: readonly LiteralForm[] = [...LOOPBACK_V4, ...SPECIAL_V4, ...V6];

/** Expands a form for a scheme (`{S}` is the upper-case scheme). */
export function literalUrl(form: LiteralForm, scheme: 'http' | 'https'): string {
	return form.url.replace('{s}', scheme).replace('{S}', scheme.toUpperCase());
}

/** Addresses just outside blocked ranges: they must NOT be refused (the policy is exact, not greedy). */
export const NEIGHBOURS: readonly string[] = [
	'9.255.255.255',
	'11.0.0.0',
	'126.255.255.255',
	'128.0.0.0',
	'172.15.255.255',
	'172.32.0.0',
	'192.167.255.255',
	'192.169.0.0',
	'100.63.255.255',
	'100.128.0.0',
	'169.253.255.255',
	'169.255.0.0',
	'198.17.255.255',
	'198.20.0.0',
	'192.0.1.255',
	'192.88.98.255',
	'223.255.255.255',
	'[::ffff:8.8.8.8]',
	'[2002:808:808::]',
	'[64:ff9b::808:808]',
	'[2606:4700::1111]',
	'[fe7f:ffff::1]',
	'[fbff:ffff::1]',
	'[2001:db7:ffff::1]',
	'[2001:db9::1]',
];
