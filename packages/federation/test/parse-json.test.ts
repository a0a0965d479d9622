// parseJson reads JSON as a correct JSON.parse does, also after V8's key cache was poisoned (nodejs/node#63785).
import test from 'ava';
import { canonicalJson, parseJson } from '../src/index.js';

/** Texts whose keys are one-character escapes: the shape V8 on Node 24 and 26 misreads after a `"\\"` key. */
const ESCAPED_KEYS = [
	['{"\\n":1}', { '\n': 1 }],
	['{"\\u0000":1}', { '\u0000': 1 }],
	['{"\\u0042":1}', { B: 1 }],
	['{"\\"":1}', { '"': 1 }],
	['{"x":1,"\\t":{"\\r":[{"\\f":2}]}}', { x: 1, '\t': { '\r': [{ '\f': 2 }] } }],
] as const;

test('escaped one-character keys read back as written after a text with the key "\\\\" was parsed', (t) => {
	// The poison: V8 keeps a key transition for `\`, which later escaped keys then match by mistake.
	for (let i = 0; i < 3; i++) {
		JSON.parse('{"\\\\":1}');
		JSON.parse('{"x":1,"\\\\":{"\\\\":1}}');
		parseJson('{"\\\\":1}');
	}
	for (const [text, expected] of ESCAPED_KEYS) {
		t.deepEqual(parseJson(text), expected, text);
		t.deepEqual(parseJson(`[${text},${text}]`), [expected, expected], text);
	}
});

test('canonical JSON of an event with escaped content keys survives a parse unchanged', (t) => {
	JSON.parse('{"content":{"\\\\":"poison"}}');
	const event = { content: { '\n': 'a', '\u0000': 'b', z: { '\u0001': 'c' } }, type: 'm.room.message' };
	const text = canonicalJson(event);
	t.is(canonicalJson(parseJson(text)), text);
});

test('key order, duplicate keys and __proto__ come out as JSON.parse defines them', (t) => {
	const last = parseJson('{"a":1,"\\u0062":2,"\\u0061":3}') as Record<string, unknown>;
	t.deepEqual(Object.keys(last), ['a', 'b']);
	t.is(last['a'], 3);
	const order = parseJson('{"z":1,"\\u0079":2,"x":3}') as Record<string, unknown>;
	t.deepEqual(Object.keys(order), ['z', 'y', 'x']);
	const proto = parseJson('{"\\u005f_proto__":{"polluted":true},"a":"\\n"}') as Record<string, unknown>;
	t.is(Object.getPrototypeOf(proto), Object.prototype);
	t.deepEqual(Object.keys(proto), ['__proto__', 'a']);
	t.deepEqual(proto['__proto__'], { polluted: true });
	t.is(({} as Record<string, unknown>)['polluted'], undefined);
});

test('escapes in values, keys that look like the placeholders, and escaped quotes keep tokens aligned', (t) => {
	const text = '{"v":"a\\"b\\\\","__parse_json_key_0":"\\":","k\\"":"x","\\\\":{"\\n" : 1}}';
	t.deepEqual(parseJson(text), {
		v: 'a"b\\',
		__parse_json_key_0: '":',
		'k"': 'x',
		'\\': { '\n': 1 },
	});
	t.deepEqual(parseJson('"\\n"'), '\n');
	t.deepEqual(parseJson('[1, "\\u00e9", null]'), [1, 'é', null]);
});

test('invalid JSON throws the SyntaxError JSON.parse throws for the same text', (t) => {
	for (const text of ['{"\\n":}', '{"\\n":1', '{"a":"\\x"}', '', '{"\\n" 1}']) {
		let expected: unknown;
		try {
			JSON.parse(text);
		} catch (error) {
			expected = error;
		}
		const error = t.throws(() => parseJson(text), { instanceOf: SyntaxError }, text);
		t.is(error.message, (expected as Error).message, text);
	}
});

test('deep nesting around an escaped key does not exhaust the stack', (t) => {
	const depth = 20_000;
	const text = `${'['.repeat(depth)}{"\\n":1}${']'.repeat(depth)}`;
	let value = parseJson(text);
	for (let i = 0; i < depth; i++) value = (value as unknown[])[0];
	t.deepEqual(value, { '\n': 1 });
});
