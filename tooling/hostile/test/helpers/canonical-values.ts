/**
 * JSON values canonical JSON accepts (integers in range, well-formed strings with astral and control characters,
 * nested arrays and objects), a reference writer following the spec's text, and values it must refuse.
 */
import fc from 'fast-check';

const LONE_SURROGATE = /\p{Surrogate}/u;

/** Any well-formed string: every code point, astral ones included, control characters too. */
export const jsonString = fc.oneof(
	fc.string({ unit: 'binary', maxLength: 12 }).filter((text) => !LONE_SURROGATE.test(text)),
	fc.string({
		unit: fc.constantFrom(
			'a',
			'B',
			'\u00e9',
			'\u{1F600}',
			'\uFFFF',
			'\uE000',
			'\u0000',
			'"',
			'\\',
			'\n',
			'\u2028',
		),
	}),
);

/** Values canonical JSON must accept. */
export const canonicalValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
	value: fc.oneof(
		{ depthSize: 'small', withCrossShrink: true },
		fc.constant(null),
		fc.boolean(),
		fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
		fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0, -0, 2 ** 32),
		fc.maxSafeInteger(),
		jsonString,
		fc.array(tie('value'), { maxLength: 4 }),
		fc.dictionary(jsonString, tie('value'), { maxKeys: 5 }),
	),
})).value;

/** A JSON object canonical JSON must accept (for request bodies). */
export const canonicalObject = fc.dictionary(jsonString, canonicalValue, { maxKeys: 5 });

function codePointOrder(a: string, b: string): number {
	const x = Array.from(a, (char) => char.codePointAt(0) ?? 0);
	const y = Array.from(b, (char) => char.codePointAt(0) ?? 0);
	for (let i = 0; i < Math.min(x.length, y.length); i++) {
		if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
	}
	return x.length - y.length;
}

/** The spec's canonical JSON, written plainly: keys by code point, no white space, integers only, raw UTF-8. */
export function referenceCanonical(value: unknown): string {
	if (value === null || typeof value === 'boolean') return String(value);
	if (typeof value === 'number') return Object.is(value, -0) ? '0' : String(value);
	if (typeof value === 'string') return JSON.stringify(value);
	if (Array.isArray(value)) return `[${value.map(referenceCanonical).join(',')}]`;
	const record = value as Record<string, unknown>;
	const keys = Object.keys(record).sort(codePointOrder);
	return `{${keys.map((key) => `${JSON.stringify(key)}:${referenceCanonical(record[key])}`).join(',')}}`;
}

const cyclic = (): unknown => {
	const node: Record<string, unknown> = {};
	node['self'] = node;
	return node;
};

/** Things canonical JSON must refuse with its typed error. */
export const refusedValue: fc.Arbitrary<unknown> = fc.oneof(
	fc.double({ noNaN: true, noDefaultInfinity: true }).filter((number) => !Number.isInteger(number)),
	fc.constantFrom(
		Number.NaN,
		Number.POSITIVE_INFINITY,
		Number.NEGATIVE_INFINITY,
		2 ** 53,
		-(2 ** 53),
		2 ** 53 + 2,
		1e300,
		0.5,
		-1.5,
	),
	fc.bigInt({ min: 2n ** 53n, max: 2n ** 80n }),
	fc.constantFrom(
		undefined,
		() => 1,
		Symbol('s'),
		new Date(0),
		Buffer.from('x'),
		new Map(),
		'\ud800',
		'a\udfffb',
	),
	fc.constant(null).map(cyclic),
);

/** Puts `bad` somewhere inside `value` (replacing a member, or wrapping when `value` is a scalar). */
export function inject(value: unknown, bad: unknown, path: readonly number[]): unknown {
	const [step = 0, ...rest] = path;
	if (Array.isArray(value) && value.length > 0) {
		const copy = [...value];
		copy[step % copy.length] = rest.length === 0 ? bad : inject(copy[step % copy.length], bad, rest);
		return copy;
	}
	if (typeof value === 'object' && value !== null && Object.keys(value).length > 0) {
		const keys = Object.keys(value);
		const key = keys[step % keys.length] ?? '';
		const inner = (value as Record<string, unknown>)[key];
		return { ...value, [key]: rest.length === 0 ? bad : inject(inner, bad, rest) };
	}
	return step % 2 === 0 ? [bad] : { key: bad };
}
