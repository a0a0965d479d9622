import { ConfigError, loadConfig, parseNoProxy } from '@homeserver/config';
import { createRouter } from '@homeserver/outbound-http';
import test from 'ava';
import fc from 'fast-check';
import { RUNS } from './helpers/fuzz-runs.js';
import { modelMatches } from './helpers/no-proxy-model.js';

test('parseNoProxy yields entries or a ConfigError for any input, never a crash', (t) => {
	const unit = fc.constantFrom(
		...'ab.*:/[],; \t\n0123456789fe:x-_%'.split(''),
		'::1',
		'10.0.0.0/8',
		'ü',
		'*.',
	);
	fc.assert(
		fc.property(
			fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit, maxLength: 25 })),
			(input) => {
				try {
					const list = parseNoProxy(input, 'NO_PROXY (environment)');
					return list.entries.every((entry) => entry.raw !== '');
				} catch (error) {
					if (error instanceof ConfigError) return true;
					throw error;
				}
			},
		),
		{ numRuns: RUNS.noProxyArbitrary },
	);
	t.pass();
});

const LABELS = ['a', 'b', 'example', 'test', 'bücher', 'xn--bcher-kva', 'notexample'];
const name = fc
	.array(fc.constantFrom(...LABELS), { minLength: 1, maxLength: 3 })
	.chain((labels) => fc.constantFrom('test', 'com').map((tld) => [...labels, tld].join('.')));
const port = fc.constantFrom(80, 443, 8080, 8448);
const mixCase = (text: string, seed: number): string =>
	[...text].map((char, index) => ((seed >> (index % 16)) & 1 ? char.toUpperCase() : char)).join('');

const V4 = ['10.0.0.1', '10.0.0.2', '192.168.1.1', '8.8.8.8', '1.2.3.4'];
const V6 = [
	'::1',
	'0:0:0:0:0:0:0:1',
	'::0:1',
	'2001:db8::1',
	'2001:DB8:0::1',
	'::ffff:10.0.0.1',
	'::ffff:a00:2',
];
const V4_CIDR = [
	'10.0.0.0/8',
	'10.0.0.0/31',
	'192.168.0.0/16',
	'0.0.0.0/0',
	'1.2.3.0/24',
	'10.0.0.1/32',
	'10.0.0.5/30',
];
const V6_CIDR = ['2001:db8::/32', '::/0', 'fd00::/8', '2001:db8::/127'];

/** One no_proxy entry as an operator might write it. */
const entry = fc.oneof(
	{ weight: 1, arbitrary: fc.constant('*') },
	{
		weight: 5,
		arbitrary: fc
			.tuple(
				name,
				fc.constantFrom('', '.', '*.'),
				fc.boolean(),
				fc.option(port, { nil: undefined }),
				fc.nat(),
			)
			.map(
				([host, prefix, dot, at, seed]) =>
					`${prefix}${mixCase(host, seed)}${dot ? '.' : ''}${at === undefined ? '' : `:${at}`}`,
			),
	},
	{
		weight: 3,
		arbitrary: fc
			.tuple(fc.constantFrom(...V4), fc.option(port, { nil: undefined }))
			.map(([ip, at]) => (at === undefined ? ip : `${ip}:${at}`)),
	},
	{
		weight: 3,
		arbitrary: fc
			.tuple(fc.constantFrom(...V6), fc.option(port, { nil: undefined }), fc.boolean(), fc.nat())
			.map(([ip, at, brackets, seed]) =>
				at !== undefined ? `[${mixCase(ip, seed)}]:${at}` : brackets ? `[${ip}]` : mixCase(ip, seed),
			),
	},
	{
		weight: 2,
		arbitrary: fc
			.tuple(fc.constantFrom(...V4_CIDR), fc.option(port, { nil: undefined }))
			.map(([cidr, at]) => (at === undefined ? cidr : `${cidr}:${at}`)),
	},
	{ weight: 1, arbitrary: fc.constantFrom(...V6_CIDR) },
);

const HOSTS = [
	...[
		'10.0.0.1',
		'10.0.0.2',
		'10.0.0.3',
		'10.0.0.4',
		'10.255.255.255',
		'11.0.0.1',
		'192.168.1.1',
		'192.168.2.1',
	],
	...[
		'8.8.8.8',
		'1.2.3.4',
		'1.2.4.4',
		'[::1]',
		'[2001:db8::1]',
		'[2001:db8:1::5]',
		'[2001:db9::1]',
		'[fd12::1]',
	],
	...['[::ffff:10.0.0.1]', '[::ffff:8.8.8.8]', '[::2]'],
];
const destination = fc.record({
	scheme: fc.constantFrom('http', 'https'),
	host: fc.oneof(
		name.map((host) => host),
		fc.constantFrom(...HOSTS),
	),
	port: fc.option(port, { nil: undefined }),
	dot: fc.boolean(),
	seed: fc.nat(),
});
const SEPARATORS = [',', ' ', ', ', '\t', ',,', ' ,\n'];

test('the router exempts exactly what the reference model of docs/architecture.md 3.3 exempts, naming a matching entry', (t) => {
	let exempted = 0;
	fc.assert(
		fc.property(
			fc.array(entry, { minLength: 1, maxLength: 6 }),
			fc.nat(),
			destination,
			(entries, sep, dest) => {
				const value = entries.join(SEPARATORS[sep % SEPARATORS.length]);
				const config = loadConfig({
					env: {
						NO_PROXY: value,
						HTTP_PROXY: 'http://proxy.test:3128',
						HTTPS_PROXY: 'http://proxy.test:3128',
					},
					yamlText: 'outbound_proxy_purposes: {appservice: true}\n',
					cwd: '/',
				});
				const host =
					dest.host.startsWith('[') || /^\d/.test(dest.host)
						? dest.host
						: `${mixCase(dest.host, dest.seed)}${dest.dot ? '.' : ''}`;
				const url = new URL(`${dest.scheme}://${host}${dest.port === undefined ? '' : `:${dest.port}`}/path`);
				const expected = modelMatches(value, url);
				const decision = createRouter(config).route(url, 'appservice');
				if ((decision.route === 'direct') !== expected.length > 0) {
					throw new Error(
						`NO_PROXY=${JSON.stringify(value)} ${url.href}: router ${decision.route} (${decision.reason}), model ${JSON.stringify(expected)}`,
					);
				}
				if (expected.length > 0) {
					exempted += 1;
					const named = expected.some((raw) => decision.reason.includes(raw === '*' ? "'*'" : `'${raw}'`));
					if (!named)
						throw new Error(
							`${url.href}: reason ${decision.reason} names none of ${JSON.stringify(expected)}`,
						);
				}
				return true;
			},
		),
		{ numRuns: RUNS.noProxyModel },
	);
	t.log(`${RUNS.noProxyModel} lists and destinations, ${exempted} exempted`);
	t.true(
		exempted > RUNS.noProxyModel / 10 && exempted < RUNS.noProxyModel * 0.9,
		'both outcomes are well represented',
	);
});

test('the reference model itself follows the examples of docs/architecture.md 3.3', (t) => {
	const matches = (value: string, url: string): boolean => modelMatches(value, new URL(url)).length > 0;
	t.true(matches('example.com', 'https://example.com/'));
	t.true(matches('.example.com', 'https://a.b.example.com/'));
	t.true(matches('*.example.com', 'https://example.com./'));
	t.false(matches('example.com', 'https://notexample.com/'));
	t.true(matches('EXAMPLE.com.', 'http://Example.COM/'));
	t.true(matches('bücher.test', 'https://xn--bcher-kva.test/'));
	t.true(matches('::0:1', 'http://[::1]/'));
	t.true(matches('[::ffff:10.0.0.1]', 'http://10.0.0.1/'));
	t.true(matches('10.0.0.0/8', 'http://10.1.2.3/'));
	t.false(matches('10.0.0.0/8', 'http://ten.test/'));
	t.true(matches('example.com:8448', 'https://example.com:8448/'));
	t.false(matches('example.com:8448', 'https://example.com/'));
	t.true(matches('[::1]:443', 'https://[::1]/'));
	t.true(matches('a.test, *', 'https://anything.else/'));
});
