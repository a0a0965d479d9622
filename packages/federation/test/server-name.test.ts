import test from 'ava';
import { formatServerName, parseServerName, ServerNameError } from '../src/index.js';
import type { ServerName } from '../src/index.js';

const VALID: ReadonlyArray<[string, ServerName, string]> = [
	// The spec's own examples.
	['matrix.org', { host: 'matrix.org', port: undefined, kind: 'dns' }, 'matrix.org'],
	['matrix.org:8888', { host: 'matrix.org', port: 8888, kind: 'dns' }, 'matrix.org:8888'],
	['1.2.3.4', { host: '1.2.3.4', port: undefined, kind: 'ipv4' }, '1.2.3.4'],
	['1.2.3.4:1234', { host: '1.2.3.4', port: 1234, kind: 'ipv4' }, '1.2.3.4:1234'],
	['[1234:5678::abcd]', { host: '1234:5678::abcd', port: undefined, kind: 'ipv6' }, '[1234:5678::abcd]'],
	['[1234:5678::abcd]:5678', { host: '1234:5678::abcd', port: 5678, kind: 'ipv6' }, '[1234:5678::abcd]:5678'],
	// More.
	['localhost', { host: 'localhost', port: undefined, kind: 'dns' }, 'localhost'],
	['Example.ORG', { host: 'example.org', port: undefined, kind: 'dns' }, 'example.org'],
	['bücher.com', { host: 'xn--bcher-kva.com', port: undefined, kind: 'dns' }, 'xn--bcher-kva.com'],
	['xn--bcher-kva.com:443', { host: 'xn--bcher-kva.com', port: 443, kind: 'dns' }, 'xn--bcher-kva.com:443'],
	['[::FFFF:1.2.3.4]', { host: '::ffff:1.2.3.4', port: undefined, kind: 'ipv6' }, '[::ffff:1.2.3.4]'],
	['a-b.c-d.example:1', { host: 'a-b.c-d.example', port: 1, kind: 'dns' }, 'a-b.c-d.example:1'],
	['x.example:65535', { host: 'x.example', port: 65535, kind: 'dns' }, 'x.example:65535'],
	['0.0.0.0', { host: '0.0.0.0', port: undefined, kind: 'ipv4' }, '0.0.0.0'],
	[
		`${'a'.repeat(63)}.example`,
		{ host: `${'a'.repeat(63)}.example`, port: undefined, kind: 'dns' },
		`${'a'.repeat(63)}.example`,
	],
];

for (const [input, expected, formatted] of VALID) {
	test(`server name ${JSON.stringify(input)} parses`, (t) => {
		const parsed = parseServerName(input);
		t.deepEqual(parsed, expected);
		t.is(formatServerName(parsed), formatted);
	});
}

const INVALID: ReadonlyArray<[string, string]> = [
	['', 'empty'],
	[':8448', 'empty host'],
	['example.com:', 'an empty port'],
	['example.com:0', 'port 0'],
	['example.com:65536', 'a port above 65535'],
	['example.com:123456', 'a six-digit port'],
	['example.com:-1', 'a negative port'],
	['example.com:80:80', 'two ports'],
	['example.com:8a', 'a non-numeric port'],
	['example.com/path', 'a path'],
	['example.com/../evil', 'a path trick'],
	['example.com?x=1', 'a query'],
	['example.com#frag', 'a fragment'],
	['user@example.com', 'userinfo'],
	['user:pass@example.com', 'userinfo with a password'],
	['https://example.com', 'a scheme'],
	['exa%41mple.com', 'a percent-escape (WHATWG would decode it)'],
	['exa mple.com', 'a space'],
	[' example.com', 'leading white space'],
	['example.com\n', 'a newline'],
	['a..b', 'an empty label'],
	['.example.com', 'a leading dot'],
	['example.com.', 'a trailing dot'],
	['a_b.example', 'an underscore'],
	[`${'a'.repeat(64)}.example`, 'a 64-character label'],
	[`${'abcdefg.'.repeat(32)}com`, 'a name over 255 characters'],
	['x'.repeat(400), 'an over-long input'],
	['::1', 'unbracketed IPv6'],
	['[::1', 'a missing closing bracket'],
	['[::1]x', 'text after the bracket'],
	['[fe80::1%eth0]', 'an IPv6 zone'],
	['[example.com]', 'a name in brackets'],
	['[1.2.3.4]', 'IPv4 in brackets'],
	['256.1.1.1', 'an IPv4 part above 255'],
	['01.2.3.4', 'an IPv4 leading zero'],
	['1.2.3', 'a three-part number (WHATWG reads 1.2.0.3)'],
	['0x7f.1', 'a hex IPv4 form (WHATWG reads 127.0.0.1)'],
	['127.1', 'a short IPv4 form'],
	['example.123', 'a numeric last label'],
	['１.２.３.４', 'full-width digits that map to an IPv4 address'],
	['xn--zz.com', 'invalid punycode'],
	['a／b', 'a full-width solidus'],
];

for (const [input, what] of INVALID) {
	test(`server name with ${what} is refused`, (t) => {
		const error = t.throws(() => parseServerName(input), { instanceOf: ServerNameError });
		t.is(error.code, 'ERR_SERVER_NAME_INVALID');
		t.notRegex(error.message, /[\n\r]/, 'the message stays on one line');
	});
}

test('a non-string is refused with ServerNameError, not a TypeError', (t) => {
	t.throws(() => parseServerName(undefined as unknown as string), { instanceOf: ServerNameError });
});
