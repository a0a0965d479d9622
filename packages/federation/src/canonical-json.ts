import { CanonicalJsonError } from './errors.js';

/** The largest integer canonical JSON allows: 2^53 - 1 (the smallest is its negation). */
const MAX_INTEGER = Number.MAX_SAFE_INTEGER;
/** Nesting deeper than this is refused rather than risking a stack overflow on hostile input. */
const MAX_DEPTH = 512;
/** A UTF-16 surrogate that is not part of a pair: such a string has no UTF-8 form. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * The spec's canonical JSON (appendices, "Canonical JSON"): no insignificant whitespace, object keys sorted by
 * Unicode code point (not by UTF-16 code unit, as `Array.prototype.sort` would), non-ASCII characters kept as
 * they are, only integers in [-(2^53)+1, 2^53-1] (`-0` is written `0`).
 *
 * Accepted values: `null`, booleans, strings (well-formed UTF-16), integers (numbers or bigints) in range,
 * arrays and plain objects. Anything else (floats, `NaN`, out-of-range integers, `undefined` anywhere, functions,
 * symbols, class instances such as `Date` or `Buffer`, cycles, nesting deeper than 512) throws
 * {@link CanonicalJsonError} naming where the value sits. The same bytes are what gets signed, so nothing is
 * silently dropped or converted.
 */
export function canonicalJson(value: unknown): string {
	return write(value, '$', 0, new Set());
}

/**
 * Orders two strings by Unicode code point (which is also UTF-8 byte order). Only the first differing UTF-16
 * unit matters; surrogates (U+D800-DFFF, which encode code points above U+FFFF) are moved above U+E000-FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
	const length = Math.min(a.length, b.length);
	for (let i = 0; i < length; i++) {
		let x = a.charCodeAt(i);
		let y = b.charCodeAt(i);
		if (x === y) {
			continue;
		}
		if (x >= 0xd800 && y >= 0xd800) {
			x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
			y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
		}
		return x - y;
	}
	return a.length - b.length;
}

function write(value: unknown, path: string, depth: number, ancestors: Set<object>): string {
	switch (typeof value) {
		case 'string':
			return writeString(value, path);
		case 'boolean':
			return value ? 'true' : 'false';
		case 'number':
			return writeNumber(value, path);
		case 'bigint':
			if (value > BigInt(MAX_INTEGER) || value < -BigInt(MAX_INTEGER)) {
				throw new CanonicalJsonError('integer outside [-(2^53)+1, 2^53-1]', path);
			}
			return value.toString();
		case 'object':
			if (value === null) {
				return 'null';
			}
			return writeContainer(value, path, depth, ancestors);
		default:
			throw new CanonicalJsonError(`${typeof value} is not a JSON value`, path);
	}
}

function writeString(value: string, path: string): string {
	if (LONE_SURROGATE.test(value)) {
		throw new CanonicalJsonError('string has an unpaired UTF-16 surrogate (no UTF-8 form)', path);
	}
	// JSON.stringify escapes exactly what the grammar escapes: `"`, `\`, control characters (\b \t \n \f \r,
	// else \u00xx in lower case), and keeps everything else raw.
	return JSON.stringify(value);
}

function writeNumber(value: number, path: string): string {
	if (!Number.isInteger(value)) {
		throw new CanonicalJsonError(
			Number.isFinite(value) ? 'floats are not allowed' : `${value} is not a JSON value`,
			path,
		);
	}
	if (value > MAX_INTEGER || value < -MAX_INTEGER) {
		throw new CanonicalJsonError('integer outside [-(2^53)+1, 2^53-1]', path);
	}
	// String(-0) is "0"; safe integers never use an exponent.
	return String(value);
}

function writeContainer(value: object, path: string, depth: number, ancestors: Set<object>): string {
	if (depth >= MAX_DEPTH) {
		throw new CanonicalJsonError(`nesting deeper than ${MAX_DEPTH}`, path);
	}
	if (ancestors.has(value)) {
		throw new CanonicalJsonError('cyclic structure', path);
	}
	ancestors.add(value);
	try {
		if (Array.isArray(value)) {
			const parts: string[] = [];
			for (let i = 0; i < value.length; i++) {
				parts.push(write(value[i], `${path}[${i}]`, depth + 1, ancestors));
			}
			return `[${parts.join(',')}]`;
		}
		const prototype: unknown = Object.getPrototypeOf(value);
		if (prototype !== Object.prototype && prototype !== null) {
			const kind = (value.constructor as { name?: unknown } | undefined)?.name;
			throw new CanonicalJsonError(
				`${typeof kind === 'string' ? kind : 'object'} is not a plain object`,
				path,
			);
		}
		if (Object.getOwnPropertySymbols(value).length > 0) {
			throw new CanonicalJsonError('symbol keys are not JSON', path);
		}
		const record = value as Record<string, unknown>;
		const keys = Object.keys(record).sort(compareCodePoints);
		const parts = keys.map(
			(key) =>
				`${writeString(key, `${path} (key)`)}:${write(record[key], `${path}${formatKey(key)}`, depth + 1, ancestors)}`,
		);
		return `{${parts.join(',')}}`;
	} finally {
		ancestors.delete(value);
	}
}

function formatKey(key: string): string {
	return /^[A-Za-z_$][\w$]*$/.test(key)
		? `.${key}`
		: `[${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}]`;
}
