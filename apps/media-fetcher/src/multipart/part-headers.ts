/**
 * The header block of one part of a `multipart/mixed` body (RFC 2046 / RFC 5322 syntax).
 *
 * Input is hostile: the caller caps the block's size; here the number of headers is capped, names must be
 * tokens, values must not carry control characters, and the headers this package acts on may not repeat (two
 * `Location` or `Content-Type` headers are how parsers are made to disagree).
 */
import { MediaFetcherError } from '../errors.js';

/** Header names in lower case, each with its one value (folded lines joined, surrounding space trimmed). */
export type PartHeaders = ReadonlyMap<string, string>;

const MAX_HEADERS = 32;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Control characters other than horizontal tab.
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
const SINGLE = new Set(['content-type', 'content-disposition', 'location', 'content-length']);

function invalid(message: string): MediaFetcherError {
	return new MediaFetcherError('ERR_MULTIPART_INVALID', message);
}

/** Parses the lines of a header block (without the blank line that ends it). Throws `ERR_MULTIPART_INVALID`. */
export function parsePartHeaders(block: Buffer): PartHeaders {
	const headers = new Map<string, string>();
	if (block.length === 0) {
		return headers;
	}
	const lines = block.toString('latin1').split('\r\n');
	const fields: [string, string][] = [];
	for (const line of lines) {
		const last = fields.at(-1);
		if (line.startsWith(' ') || line.startsWith('\t')) {
			if (last === undefined) {
				throw invalid('A part header block starts with a continuation line');
			}
			last[1] = `${last[1]} ${line.trim()}`;
			continue;
		}
		const colon = line.indexOf(':');
		const name = colon > 0 ? line.slice(0, colon).trimEnd().toLowerCase() : '';
		if (!TOKEN.test(name)) {
			throw invalid('A part header line is malformed');
		}
		fields.push([name, line.slice(colon + 1)]);
		if (fields.length > MAX_HEADERS) {
			throw invalid(`A part has more than ${MAX_HEADERS} headers`);
		}
	}
	for (const [name, raw] of fields) {
		const value = raw.trim();
		if (CONTROL.test(value)) {
			throw invalid(`The part header ${name} contains control characters`);
		}
		if (headers.has(name) && SINGLE.has(name)) {
			throw invalid(`The part header ${name} appears twice`);
		}
		headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
	}
	return headers;
}
