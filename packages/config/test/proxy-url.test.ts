import { inspect } from 'node:util';
import test from 'ava';
import { ConfigError, ProxyEndpoint, parseProxyUrl } from '../src/index.js';
import { DEFAULT_PROXY_PORT } from '../src/proxy-url.js';
import { redactProxyString } from '../src/redact.js';

const SOURCE = 'https_proxy (homeserver.yaml)';

// Synapse tests/http/test_proxyagent.py ProxyParserTests.test_parse_proxy (27 cases). Synapse keeps IPv6 hosts
// as written; we give them in canonical (RFC 5952) form, written out here by hand.
const IPV6 = [
	['2001:0db8:85a3:0000:0000:8a2e:0370:effe', '2001:db8:85a3::8a2e:370:effe'],
	['2001:0db8:85a3:0000:0000:8a2e:0370:1234', '2001:db8:85a3::8a2e:370:1234'],
	['::1', '::1'],
	['::ffff:0.0.0.0', '::ffff:0:0'],
] as const;

type Case = [
	input: string,
	protocol: 'http:' | 'https:',
	host: string,
	port: number,
	credentials: string | null,
];
const synapseCases: Case[] = [
	['localhost', 'http:', 'localhost', 1080, null],
	['localhost:9988', 'http:', 'localhost', 9988, null],
	['https://localhost', 'https:', 'localhost', 1080, null],
	['https://localhost:1234', 'https:', 'localhost', 1234, null],
	['1.2.3.4', 'http:', '1.2.3.4', 1080, null],
	['1.2.3.4:9988', 'http:', '1.2.3.4', 9988, null],
	['https://1.2.3.4', 'https:', '1.2.3.4', 1080, null],
	['https://1.2.3.4:9988', 'https:', '1.2.3.4', 9988, null],
	...IPV6.map(([written, host]): Case => [`[${written}]`, 'http:', host, 1080, null]),
	...IPV6.map(([written, host]): Case => [`[${written}]:9988`, 'http:', host, 9988, null]),
	...IPV6.map(([written, host]): Case => [`https://[${written}]`, 'https:', host, 1080, null]),
	...IPV6.slice(0, 3).map(([written, host]): Case => [
		`https://[${written}]:9988`,
		'https:',
		host,
		9988,
		null,
	]),
	['https://user:pass@1.2.3.4:9988', 'https:', '1.2.3.4', 9988, 'user:pass'],
	['user:pass@1.2.3.4:9988', 'http:', '1.2.3.4', 9988, 'user:pass'],
	['https://user:pass@proxy.local:9988', 'https:', 'proxy.local', 9988, 'user:pass'],
	['user:pass@proxy.local:9988', 'http:', 'proxy.local', 9988, 'user:pass'],
];

test('Synapse test_parse_proxy has 27 cases here too', (t) => {
	t.is(synapseCases.length, 27);
});

for (const [input, protocol, host, port, credentials] of synapseCases) {
	test(`Synapse case ${input} parses to ${protocol}//${host}:${port}`, (t) => {
		const proxy = parseProxyUrl(input, SOURCE);
		t.is(proxy.protocol, protocol);
		t.is(proxy.host, host);
		t.is(proxy.port, port);
		t.is(proxy.hasCredentials, credentials !== null);
		t.is(
			proxy.authorization,
			credentials === null ? undefined : `Basic ${Buffer.from(credentials).toString('base64')}`,
		);
	});
}

test('long credentials are encoded as one base64 line (Synapse #16504)', (t) => {
	const user = 'looooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooonguser';
	const proxy = parseProxyUrl(`${user}:pass@proxy.local:9988`, SOURCE);
	const expected =
		'Basic bG9vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb25ndXNlcjpwYXNz';
	t.is(proxy.authorization, expected);
	t.false(proxy.authorization?.includes('\n'));
	t.is(Buffer.from(expected.slice('Basic '.length), 'base64').toString(), `${user}:pass`);
});

type Field = Exclude<keyof ProxyEndpoint, 'toString' | 'toJSON'>;

const valid: [input: string, check: Partial<Record<Field, unknown>>][] = [
	[
		'http://proxy.example.com:3128/',
		{ host: 'proxy.example.com', port: 3128, origin: 'http://proxy.example.com:3128' },
	],
	['HTTPS://Proxy.Example.COM.', { protocol: 'https:', host: 'proxy.example.com', port: DEFAULT_PROXY_PORT }],
	['  http://proxy:8080  ', { host: 'proxy', port: 8080 }],
	['http://[::1]:3128', { host: '::1', origin: 'http://[::1]:3128', redacted: 'http://[::1]:3128' }],
	['http://bücher.example:3128', { host: 'xn--bcher-kva.example' }],
	['http://proxy:65535', { port: 65_535 }],
	['http://p.example:1', { port: 1 }],
	['http://proxy:', { port: 1080 }],
	['http://bob:pinkponies@proxy:8888', { authorization: 'Basic Ym9iOnBpbmtwb25pZXM=', username: 'bob' }],
	['http://us%40er:p%3Ass%20w@proxy:1', { username: 'us@er', authorization: 'Basic dXNAZXI6cDpzcyB3' }],
	['http://alice@proxy:1', { username: 'alice', hasCredentials: true, authorization: 'Basic YWxpY2U6' }],
	['http://alice:@proxy:1', { username: 'alice', authorization: 'Basic YWxpY2U6' }],
	['http://%C3%A9:mot%20de%20passe@proxy:1', { username: 'é', authorization: 'Basic w6k6bW90IGRlIHBhc3Nl' }],
	[
		'http://bob:p@ss/w#rd?@proxy:1/',
		{ authorization: `Basic ${Buffer.from('bob:p@ss/w#rd?').toString('base64')}` },
	],
	['http://proxy:1', { hasCredentials: false, username: undefined, authorization: undefined }],
];

for (const [input, check] of valid) {
	test(`proxy URL ${JSON.stringify(input)} is accepted`, (t) => {
		const proxy = parseProxyUrl(input, SOURCE);
		for (const [key, value] of Object.entries(check)) {
			t.deepEqual(proxy[key as Field], value, key);
		}
	});
}

const invalid: [input: string, reason: RegExp][] = [
	['socks5://proxy:1080', /only http and https proxies are supported/],
	['socks://proxy.com:8888', /unsupported proxy scheme "socks"/],
	['ftp://proxy:21', /only http and https/],
	['http://proxy:0', /port 0 is out of range/],
	['http://proxy:65536', /port 65536 is out of range/],
	['http://proxy:80a', /port must be a number/],
	['http://proxy:1/path', /a path other than "\/"/],
	['http://proxy:1/?x=1', /query or fragment/],
	['http://proxy:1#frag', /query or fragment/],
	['http://', /no host/],
	['http://:8080', /no host/],
	['', /empty/],
	['http://user:p%zz@proxy:1', /bad percent-escape/],
	['http://%E0%A4%A@proxy:1', /bad percent-escape/],
	['http://:secret@proxy:1', /user name before "@" is empty/],
	['http://a%3Ab:c@proxy:1', /user name must not contain ":"/],
	['http://2001:db8::1:3128', /IPv6 address must be written in brackets/],
	['http://[2001:db8::1:3128', /not closed/],
	['http://[not-v6]:1', /not a valid IPv6 address/],
	['http://[::1]x', /unexpected text after the IPv6 address/],
	['http://prox y:1', /invalid proxy host/],
	['http://10.0.0:3128', /invalid proxy host/],
	['1http://proxy', /not a valid URL scheme/],
];

for (const [input, reason] of invalid) {
	test(`proxy URL ${JSON.stringify(input)} is a configuration error naming the key`, (t) => {
		const error = t.throws(() => parseProxyUrl(input, SOURCE), { instanceOf: ConfigError });
		t.is(error.code, 'ERR_CONFIG_INVALID');
		t.is(error.problems.length, 1);
		t.is(error.problems[0]?.key, SOURCE);
		t.regex(error.problems[0]?.reason ?? '', reason);
		t.true(error.message.includes(SOURCE));
	});
}

test('the password never appears in errors about the URL, even in malformed ones', (t) => {
	const password = 'Zebra-Quartz-9917';
	for (const input of [
		`socks5://bob:${password}@proxy:1`,
		`http://bob:${password}@proxy:0`,
		`http://bob:${password}@proxy:1/path`,
		`http://bob:${password}@proxy:1?q`,
		`http://bob:${password}%zz@proxy:1`,
		`bob:${password}@[::1:1`,
		`http://bob:${password}@`,
	]) {
		const error = t.throws(() => parseProxyUrl(input, SOURCE), { instanceOf: ConfigError });
		t.false(error.message.includes(password), input);
		t.false(JSON.stringify(error.problems).includes(password), input);
		t.true(error.problems[0]?.value.includes('bob:***@'), input);
	}
});

test('a password behind a percent-encoded ":" is never echoed either: the whole user information becomes ***', (t) => {
	const password = 'Zebra-Quartz-9917';
	for (const input of [
		`http://bob%3A${password}@proxy:3128/x`,
		`http://bob%3a${password}@proxy:3128`,
		`socks5://bob%3A${password}@proxy:1`,
		`http://bob%${password}@proxy:1/x`,
	]) {
		const error = t.throws(() => parseProxyUrl(input, SOURCE), { instanceOf: ConfigError });
		t.false(error.message.includes(password), input);
		t.false(JSON.stringify(error.problems).includes(password), input);
		t.true(error.problems[0]?.value.includes('//***@proxy'), `${input}: ${error.problems[0]?.value}`);
	}
	t.is(redactProxyString('http://bob%3Asecret@proxy:3128/x'), 'http://***@proxy:3128/x');
	t.is(redactProxyString('http://bob%40corp@proxy:3128'), 'http://bob%40corp@proxy:3128');
});

test('a ProxyEndpoint shows only its redacted form', (t) => {
	const password = 'Zebra-Quartz-9917';
	const proxy = parseProxyUrl(`https://bob:${password}@proxy.example:3128/`, SOURCE);
	t.is(proxy.redacted, 'https://bob:***@proxy.example:3128');
	t.is(String(proxy), proxy.redacted);
	t.is([proxy].join(''), proxy.redacted);
	t.is(JSON.stringify({ proxy }), `{"proxy":"${proxy.redacted}"}`);
	t.is(inspect(proxy), `ProxyEndpoint <${proxy.redacted}> from ${SOURCE}`);
	for (const text of [
		inspect(proxy, { showHidden: true, depth: 5 }),
		JSON.stringify({ ...proxy }),
		JSON.stringify(Object.getOwnPropertyDescriptors(proxy)),
		JSON.stringify(structuredClone({ ...proxy })),
	]) {
		t.false(text.includes(password));
		t.false(text.includes(Buffer.from(`bob:${password}`).toString('base64')));
	}
	t.is(proxy.authorization, `Basic ${Buffer.from(`bob:${password}`).toString('base64')}`);
});

test('a user without a password is shown without "***" and sent as "user:"', (t) => {
	const proxy = parseProxyUrl('http://alice@proxy:1', SOURCE);
	t.is(proxy.redacted, 'http://alice@proxy:1');
	t.is(Buffer.from((proxy.authorization ?? '').slice(6), 'base64').toString(), 'alice:');
});

test('a ProxyEndpoint is frozen and an instance of the exported class', (t) => {
	const proxy = parseProxyUrl('http://proxy:1', SOURCE);
	t.true(Object.isFrozen(proxy));
	t.true(proxy instanceof ProxyEndpoint);
	t.throws(() => {
		(proxy as { port: number }).port = 2;
	});
	t.is(proxy.source, SOURCE);
});
