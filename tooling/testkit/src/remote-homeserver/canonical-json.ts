/**
 * A small, independent canonical JSON writer (Matrix spec, appendices "Canonical JSON") for the remote homeserver's
 * own signature checks. It is deliberately not shared with `@homeserver/federation`: the remote homeserver is an
 * independent peer, so a bug in the production signer cannot hide behind the same bug in the verifier.
 */
import { TestkitError } from '../errors.js';

/** Orders two strings by Unicode code point (not by UTF-16 code unit, as `Array#sort` would). */
function byCodePoint(a: string, b: string): number {
	const left = [...a];
	const right = [...b];
	for (let i = 0; i < Math.min(left.length, right.length); i++) {
		const x = left[i]?.codePointAt(0) ?? 0;
		const y = right[i]?.codePointAt(0) ?? 0;
		if (x !== y) return x - y;
	}
	return left.length - right.length;
}

/**
 * `value` as canonical JSON: object keys sorted by code point, no insignificant white space, strings escaped as
 * `JSON.stringify` does (which matches the spec's grammar). Only integers in the safe range are accepted as
 * numbers; anything that is not JSON throws `ERR_TESTKIT_NOT_JSON`.
 */
export function canonicalJson(value: unknown): string {
	if (value === null || typeof value === 'boolean' || typeof value === 'string') {
		return JSON.stringify(value);
	}
	if (typeof value === 'number') {
		if (!Number.isSafeInteger(value))
			throw new TestkitError('ERR_TESTKIT_NOT_JSON', `not a canonical JSON number: ${value}`);
		return JSON.stringify(value);
	}
	if (Array.isArray(value)) {
		return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
	}
	if (typeof value === 'object') {
		const record = value as Record<string, unknown>;
		const keys = Object.keys(record).sort(byCodePoint);
		return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
	}
	throw new TestkitError('ERR_TESTKIT_NOT_JSON', `not a JSON value: ${typeof value}`);
}
