import test from 'ava';
import fc from 'fast-check';
import { parseXMatrixAuthorization, XMatrixError } from '../src/index.js';

const SIG = 'xlbSI5zw4CYonpM3BvCNPWPXpIKIDbI3Rn8hIBaUYzuAlkcAlx0+nsfgUEi6XfCv0EoXfJzzMiFfEsKAHOXUAA';
const TOLERATED: ReadonlyArray<[string, string]> = [
	['the compatible form', `X-Matrix origin="o.example",destination="d.example",key="ed25519:1",sig="${SIG}"`],
	[
		'Synapse parameter order',
		`X-Matrix origin="o.example",key="ed25519:1",sig="${SIG}",destination="d.example"`,
	],
	[
		'scheme in lower case and several spaces',
		`x-matrix   origin="o.example",destination="d.example",key="ed25519:1",sig="${SIG}"`,
	],
	[
		'spaces and tabs around "," and "="',
		`X-Matrix origin = "o.example" ,\tdestination="d.example" , key ="ed25519:1",sig= "${SIG}"`,
	],
	['upper-case names', `X-Matrix ORIGIN="o.example",Destination="d.example",KEY="ed25519:1",Sig="${SIG}"`],
	[
		'unquoted values with ":" and "/"',
		`X-Matrix origin=o.example,destination=d.example,key=ed25519:1,sig=${SIG}`,
	],
	[
		'backslash escapes in quoted values',
		`X-Matrix origin="o\\.example",destination="d.exampl\\e",key="ed25519\\:1",sig="${SIG}"`,
	],
	[
		'empty list elements and unknown parameters',
		`X-Matrix ,origin="o.example",,foo="bar, \\"baz\\"", destination="d.example",key="ed25519:1",sig="${SIG}",`,
	],
	[
		'the spec parameter name "signature"',
		`X-Matrix origin="o.example",destination="d.example",key="ed25519:1",signature="${SIG}"`,
	],
	['padded signature', `X-Matrix origin="o.example",destination="d.example",key="ed25519:1",sig="${SIG}=="`],
];

for (const [what, header] of TOLERATED) {
	test(`parsing tolerates ${what}`, (t) => {
		const parsed = parseXMatrixAuthorization(header);
		t.is(parsed.origin, 'o.example');
		t.is(parsed.destination, 'd.example');
		t.is(parsed.key, 'ed25519:1');
		t.true(parsed.sig.startsWith(SIG));
	});
}

test('a missing destination (old servers) is accepted as undefined', (t) => {
	t.is(
		parseXMatrixAuthorization(`X-Matrix origin="o.example",key="ed25519:1",sig="${SIG}"`).destination,
		undefined,
	);
});

const REFUSED: ReadonlyArray<[string, string, RegExp]> = [
	['another scheme', `Bearer origin="o",key="ed25519:1",sig="${SIG}"`, /not X-Matrix/],
	['the scheme alone', 'X-Matrix', /lacks origin, key, sig/],
	['no origin', `X-Matrix key="ed25519:1",sig="${SIG}"`, /lacks origin/],
	['no key', `X-Matrix origin="o",sig="${SIG}"`, /lacks key/],
	['no sig', 'X-Matrix origin="o",key="ed25519:1"', /lacks sig/],
	['a repeated parameter', `X-Matrix origin="o",origin="p",key="ed25519:1",sig="${SIG}"`, /repeated/],
	['sig and signature both', `X-Matrix origin="o",key="ed25519:1",sig="${SIG}",signature="${SIG}"`, /both/],
	['an unterminated quote', `X-Matrix origin="o,key="ed25519:1",sig="${SIG}`, /unterminated|expected/],
	['a parameter without "="', `X-Matrix origin,key="ed25519:1",sig="${SIG}"`, /expected "="/],
	['text after a value', `X-Matrix origin="o" x,key="ed25519:1",sig="${SIG}"`, /expected ","/],
	['a CR LF injection', `X-Matrix origin="o",key="ed25519:1",sig="${SIG}"\r\nX-Evil: 1`, /control/],
	['a NUL byte', `X-Matrix origin="o\u0000",key="ed25519:1",sig="${SIG}"`, /control/],
	[
		'an origin that is not a server name',
		`X-Matrix origin="o/../x",key="ed25519:1",sig="${SIG}"`,
		/origin is not a valid server name/,
	],
	['an empty origin', `X-Matrix origin="",key="ed25519:1",sig="${SIG}"`, /origin/],
	[
		'a bad destination',
		`X-Matrix origin="o",destination="d:99999",key="ed25519:1",sig="${SIG}"`,
		/destination/,
	],
	['a key without algorithm', `X-Matrix origin="o",key="1",sig="${SIG}"`, /key id/],
	['a sig that is not base64', 'X-Matrix origin="o",key="ed25519:1",sig="a b"', /not base64/],
	['an empty sig', 'X-Matrix origin="o",key="ed25519:1",sig=""', /empty/],
	[
		'a quote inside an unquoted value',
		`X-Matrix origin=o"x,key="ed25519:1",sig="${SIG}"`,
		/invalid unquoted/,
	],
	[
		'an over-long header',
		`X-Matrix origin="o",key="ed25519:1",sig="${SIG}",x="${'a'.repeat(20000)}"`,
		/longer than/,
	],
	[
		'two schemes joined',
		`X-Matrix origin="o",key="ed25519:1",sig="${SIG}", X-Matrix origin="p"`,
		/expected "="/,
	],
];

for (const [what, header, message] of REFUSED) {
	test(`parsing refuses ${what} with ERR_X_MATRIX_INVALID`, (t) => {
		const error = t.throws(() => parseXMatrixAuthorization(header), { instanceOf: XMatrixError });
		t.is(error.code, 'ERR_X_MATRIX_INVALID');
		t.regex(error.message, message);
	});
}

test('parsing arbitrary input either succeeds or throws XMatrixError, nothing else', (t) => {
	const pieces = fc.constantFrom(
		'X-Matrix ',
		'x-matrix',
		' ',
		'\t',
		',',
		'=',
		'"',
		'\\',
		'origin',
		'destination',
		'key',
		'sig',
		'signature',
		'ed25519:1',
		SIG,
		'o.example',
		'[::1]:8448',
		':',
		'\u0000',
		'\r\n',
		'é',
		'\u{1F600}',
	);
	const header = fc.oneof(
		fc.string({ unit: 'binary', maxLength: 200 }),
		fc.array(pieces, { maxLength: 40 }).map((parts) => parts.join('')),
		fc.array(pieces, { maxLength: 40 }).map((parts) => `X-Matrix ${parts.join('')}`),
	);
	let accepted = 0;
	fc.assert(
		fc.property(header, (text) => {
			try {
				const parsed = parseXMatrixAuthorization(text);
				accepted++;
				return typeof parsed.origin === 'string' && typeof parsed.key === 'string' && parsed.sig.length > 0;
			} catch (error) {
				return error instanceof XMatrixError;
			}
		}),
		{ numRuns: 5000, seed: 7 },
	);
	t.log(`${accepted} of 5000 random headers were valid`);
	t.pass();
});

test('any spacing, casing, quoting and order of valid parameters parses to the same values', (t) => {
	const space = fc.constantFrom('', ' ', '\t', '  ');
	const casing = (name: string) =>
		fc.constantFrom(name, name.toUpperCase(), name[0]!.toUpperCase() + name.slice(1));
	const quoted = (value: string) =>
		fc.constantFrom(`"${value}"`, value, `"${[...value].map((c) => (c === 'e' ? '\\e' : c)).join('')}"`);
	const param = (name: string, value: string) =>
		fc.tuple(casing(name), space, space, quoted(value)).map(([n, s1, s2, v]) => `${n}${s1}=${s2}${v}`);
	const header = fc
		.tuple(
			fc.shuffledSubarray(
				[
					param('origin', 'o.example'),
					param('destination', 'd.example:8448'),
					param('key', 'ed25519:a_1'),
					param('sig', SIG),
					param('extra', 'x'),
				],
				{ minLength: 5, maxLength: 5 },
			),
			fc.constantFrom('X-Matrix', 'x-matrix', 'X-MATRIX'),
			fc.constantFrom(' ', '  ', '\t'),
			space,
			space,
		)
		.chain(([arbs, scheme, gap, before, after]) =>
			fc.tuple(...arbs).map((parts) => `${scheme}${gap}${parts.join(`${before},${after}`)}`),
		);
	fc.assert(
		fc.property(header, (text) => {
			const parsed = parseXMatrixAuthorization(text);
			return (
				parsed.origin === 'o.example' &&
				parsed.destination === 'd.example:8448' &&
				parsed.key === 'ed25519:a_1' &&
				parsed.sig === SIG
			);
		}),
		{ numRuns: 1000, seed: 11 },
	);
	t.pass();
});
