import test from 'ava';
import fc from 'fast-check';
import { canonicalJson, CanonicalJsonError, compareCodePoints } from '../src/index.js';

// Spec appendix "Canonical JSON / Examples": the inputs are JSON texts, so they are parsed first.
const SPEC_VECTORS: ReadonlyArray<[string, string]> = [
	['{}', '{}'],
	['{\n    "one": 1,\n    "two": "Two"\n}', '{"one":1,"two":"Two"}'],
	['{\n    "b": "2",\n    "a": "1"\n}', '{"a":"1","b":"2"}'],
	['{"b":"2","a":"1"}', '{"a":"1","b":"2"}'],
	[
		`{
    "auth": {
        "success": true,
        "mxid": "@john.doe:example.com",
        "profile": {
            "display_name": "John Doe",
            "three_pids": [
                {
                    "medium": "email",
                    "address": "john.doe@example.org"
                },
                {
                    "medium": "msisdn",
                    "address": "123456789"
                }
            ]
        }
    }
}`,
		'{"auth":{"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":[{"address":"john.doe@example.org","medium":"email"},{"address":"123456789","medium":"msisdn"}]},"success":true}}',
	],
	['{\n    "a": "日本語"\n}', '{"a":"日本語"}'],
	['{\n    "本": 2,\n    "日": 1\n}', '{"日":1,"本":2}'],
	['{\n    "a": "\\u65E5"\n}', '{"a":"日"}'],
	['{\n    "a": null\n}', '{"a":null}'],
	['{\n    "a": -0,\n    "b": 1e10\n}', '{"a":0,"b":10000000000}'],
];

for (const [index, [input, expected]] of SPEC_VECTORS.entries()) {
	test(`spec canonical JSON example ${index + 1} gives ${expected.slice(0, 40)}`, (t) => {
		t.is(canonicalJson(JSON.parse(input)), expected);
	});
}

test('keys sort by code point: an astral key comes after a key above U+D800 in the BMP', (t) => {
	// U+FB01 (ﬁ) < U+1F600 (😀) as code points, but a UTF-16 sort puts the surrogate pair (0xD83D...) first.
	const value = { '\u{1F600}': 2, '\uFB01': 1 };
	t.is(canonicalJson(value), '{"ﬁ":1,"😀":2}');
	t.deepEqual(Object.keys(value).sort(), ['\u{1F600}', '\uFB01'], 'the naive sort really is wrong here');
});

test('the code point comparator agrees with comparing the UTF-8 bytes', (t) => {
	fc.assert(
		fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
			const expected = Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
			return Math.sign(compareCodePoints(a, b)) === expected;
		}),
		{ numRuns: 2000, seed: 4 },
	);
	t.pass();
});

test('non-ASCII stays raw and only the grammar escapes are used', (t) => {
	t.is(canonicalJson({ s: 'é\u2028\u{1F600}' }), '{"s":"é\u2028\u{1F600}"}');
	t.is(canonicalJson('"\\\b\t\n\f\r\u0001\u001f\u007f'), '"\\"\\\\\\b\\t\\n\\f\\r\\u0001\\u001f\u007f"');
});

test('no whitespace anywhere, arrays keep their order', (t) => {
	t.is(canonicalJson({ b: [3, 1, { d: false, c: true }], a: [] }), '{"a":[],"b":[3,1,{"c":true,"d":false}]}');
});

test('the integer range ends are accepted', (t) => {
	t.is(
		canonicalJson([2 ** 53 - 1, -(2 ** 53) + 1, 9007199254740991n]),
		'[9007199254740991,-9007199254740991,9007199254740991]',
	);
});

const REFUSED: ReadonlyArray<[string, unknown, string]> = [
	['a float', { a: 1.5 }, '$.a'],
	['2^53', [2 ** 53], '$[0]'],
	['-(2^53)', { n: -(2 ** 53) }, '$.n'],
	['a bigint beyond 2^53-1', { n: 2n ** 53n }, '$.n'],
	['NaN', { n: Number.NaN }, '$.n'],
	['Infinity', [Number.POSITIVE_INFINITY], '$[0]'],
	['undefined in an object', { a: undefined }, '$.a'],
	['undefined in an array', [undefined], '$[0]'],
	['a sparse array hole', [1, , 3], '$[1]'],
	['a function', { f: () => 1 }, '$.f'],
	['a symbol', { s: Symbol('x') }, '$.s'],
	['a Date', { d: new Date(0) }, '$.d'],
	['a Buffer', { b: Buffer.from('x') }, '$.b'],
	['a Map', new Map(), '$'],
	['a lone surrogate in a value', { a: '\uD800' }, '$.a'],
	['a lone surrogate in a key', { '\uDC00x': 1 }, '$ (key)'],
	['a symbol key', { [Symbol('k')]: 1 }, '$'],
	['a top-level undefined', undefined, '$'],
];

for (const [what, value, path] of REFUSED) {
	test(`${what} is refused with ERR_CANONICAL_JSON at ${path}`, (t) => {
		const error = t.throws(() => canonicalJson(value), { instanceOf: CanonicalJsonError });
		t.is(error.code, 'ERR_CANONICAL_JSON');
		t.is(error.path, path);
	});
}

test('cycles and excessive nesting are refused, not a stack overflow', (t) => {
	const cyclic: Record<string, unknown> = {};
	cyclic['self'] = cyclic;
	t.throws(() => canonicalJson(cyclic), { instanceOf: CanonicalJsonError, message: /cyclic/ });
	let deep: unknown = 1;
	for (let i = 0; i < 100_000; i++) deep = [deep];
	t.throws(() => canonicalJson(deep), { instanceOf: CanonicalJsonError, message: /nesting/ });
});

test('the same object shared twice (not a cycle) is fine', (t) => {
	const shared = { x: 1 };
	t.is(canonicalJson({ a: shared, b: shared }), '{"a":{"x":1},"b":{"x":1}}');
});

test('objects without a prototype and an own "__proto__" key are plain JSON objects', (t) => {
	const bare = Object.create(null) as Record<string, unknown>;
	bare['z'] = 1;
	t.is(canonicalJson(bare), '{"z":1}');
	t.is(canonicalJson(JSON.parse('{"__proto__":{"a":1},"b":2}')), '{"__proto__":{"a":1},"b":2}');
});
