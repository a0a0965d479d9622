import { decodeBase64 } from './base64.js';
import { XMatrixError } from './errors.js';
import { parseServerName } from './server-name.js';

/** The parameters of one `Authorization: X-Matrix ...` header. */
export interface XMatrixAuthorization {
	/** The sending server's name. */
	readonly origin: string;
	/** The receiving server's name; undefined when an old server left it out (accept, but 401 when wrong). */
	readonly destination: string | undefined;
	/** The key id, `<algorithm>:<version>`, e.g. `ed25519:1`. */
	readonly key: string;
	/** The signature, base64 text as sent. */
	readonly sig: string;
}

const MAX_HEADER_LENGTH = 16 * 1024;
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const KEY_ID = /^[A-Za-z0-9_]{1,64}:[A-Za-z0-9_]{1,255}$/;

/**
 * Parses an `Authorization` header value with the `X-Matrix` scheme, as RFC 9110 auth-params and the spec's
 * compatibility rules describe: the scheme in any case, white space around `=` and `,`, empty list elements,
 * parameter names in any case and any order, quoted values with backslash escapes, unquoted values (also ones
 * with `:` or `/`), unknown parameters ignored, `signature` accepted for `sig`.
 *
 * Strict where it matters: `origin`, `key` and `sig` are required, a parameter may not repeat, `origin` and
 * `destination` must be server names, `key` a key id and `sig` base64; anything malformed (control characters,
 * an unterminated quote, a missing `=`, stray text, over 16 KiB) throws {@link XMatrixError}. It never throws
 * anything else, whatever the input.
 */
export function parseXMatrixAuthorization(header: string): XMatrixAuthorization {
	if (typeof header !== 'string') {
		throw new XMatrixError('Authorization header must be a string');
	}
	if (header.length > MAX_HEADER_LENGTH) {
		throw new XMatrixError(`Authorization header longer than ${MAX_HEADER_LENGTH} characters`);
	}
	if (/[\x00-\x08\x0a-\x1f\x7f]/.test(header)) {
		throw new XMatrixError('Authorization header contains control characters');
	}
	const text = header.trim();
	const schemeEnd = text.search(/[ \t]/);
	const scheme = schemeEnd < 0 ? text : text.slice(0, schemeEnd);
	if (scheme.toLowerCase() !== 'x-matrix') {
		throw new XMatrixError('Authorization scheme is not X-Matrix');
	}
	const params = parseParams(schemeEnd < 0 ? '' : text.slice(schemeEnd));
	const sig = pick(params, 'sig', 'signature');
	const origin = params.get('origin');
	const key = params.get('key');
	const destination = params.get('destination');
	if (origin === undefined || key === undefined || sig === undefined) {
		const present = { origin, key, sig };
		const missing = (['origin', 'key', 'sig'] as const).filter((name) => present[name] === undefined);
		throw new XMatrixError(`X-Matrix header lacks ${missing.join(', ')}`);
	}
	checkServerName('origin', origin);
	if (destination !== undefined) {
		checkServerName('destination', destination);
	}
	if (!KEY_ID.test(key)) {
		throw new XMatrixError('X-Matrix key is not a key id "<algorithm>:<version>"');
	}
	let signatureLength: number;
	try {
		signatureLength = decodeBase64(sig).length;
	} catch (error) {
		throw new XMatrixError('X-Matrix sig is not base64', { cause: error });
	}
	if (signatureLength === 0) {
		throw new XMatrixError('X-Matrix sig is empty');
	}
	return { origin, destination, key, sig };
}

function parseParams(text: string): Map<string, string> {
	const params = new Map<string, string>();
	let i = 0;
	const skipSpace = (): void => {
		while (text[i] === ' ' || text[i] === '\t') i++;
	};
	while (i < text.length) {
		skipSpace();
		if (text[i] === ',') {
			i++;
			continue;
		}
		if (i >= text.length) break;
		const nameStart = i;
		while (i < text.length && TCHAR.test(text[i] ?? '')) i++;
		const name = text.slice(nameStart, i).toLowerCase();
		if (name === '') {
			throw new XMatrixError(`X-Matrix header: expected a parameter name at offset ${nameStart}`);
		}
		skipSpace();
		if (text[i] !== '=') {
			throw new XMatrixError(
				`X-Matrix header: expected "=" after parameter ${JSON.stringify(name.slice(0, 40))}`,
			);
		}
		i++;
		skipSpace();
		let value: string;
		[value, i] = text[i] === '"' ? readQuoted(text, i + 1) : readUnquoted(text, i);
		if (params.has(name)) {
			throw new XMatrixError(`X-Matrix header: parameter ${JSON.stringify(name.slice(0, 40))} repeated`);
		}
		params.set(name, value);
		skipSpace();
		if (i < text.length && text[i] !== ',') {
			throw new XMatrixError(`X-Matrix header: expected "," at offset ${i}`);
		}
	}
	return params;
}

/** A quoted-string body starting after the opening quote; returns the unescaped value and the next offset. */
function readQuoted(text: string, start: number): [string, number] {
	let value = '';
	for (let i = start; i < text.length; i++) {
		const char = text[i];
		if (char === '"') {
			return [value, i + 1];
		}
		if (char === '\\') {
			i++;
			if (i >= text.length) break;
		}
		value += text[i];
	}
	throw new XMatrixError('X-Matrix header: unterminated quoted value');
}

function readUnquoted(text: string, start: number): [string, number] {
	let i = start;
	while (i < text.length && !' \t,'.includes(text[i] ?? ',')) i++;
	const value = text.slice(start, i);
	if (value === '' || /["\\]/.test(value)) {
		throw new XMatrixError(`X-Matrix header: invalid unquoted value at offset ${start}`);
	}
	return [value, i];
}

function pick(params: Map<string, string>, name: string, alias: string): string | undefined {
	const value = params.get(name);
	const aliased = params.get(alias);
	if (value !== undefined && aliased !== undefined) {
		throw new XMatrixError(`X-Matrix header has both ${name} and ${alias}`);
	}
	return value ?? aliased;
}

function checkServerName(name: string, value: string): void {
	try {
		parseServerName(value);
	} catch (error) {
		throw new XMatrixError(`X-Matrix ${name} is not a valid server name`, { cause: error });
	}
}
