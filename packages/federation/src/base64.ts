import { Base64Error } from './errors.js';

/**
 * Unpadded base64 (the spec's appendix "Unpadded Base64"): RFC 4648 standard alphabet, no `=` padding. Used for
 * signatures, public keys and content hashes.
 */
export function encodeUnpaddedBase64(data: Uint8Array | string): string {
	const bytes =
		typeof data === 'string'
			? Buffer.from(data, 'utf8')
			: Buffer.from(data.buffer, data.byteOffset, data.byteLength);
	return bytes.toString('base64').replace(/=+$/, '');
}

const BASE64_TEXT = /^[A-Za-z0-9+/_-]*$/;

/**
 * Decodes base64 as the spec asks receivers to: unpadded or padded, and (tolerated) the URL-safe alphabet.
 * Anything else (other characters, whitespace, misplaced `=`, an impossible length) throws
 * {@link Base64Error}: `Buffer.from(text, 'base64')` alone would silently skip such characters.
 */
export function decodeBase64(text: string): Buffer {
	const unpadded = stripPadding(text);
	if (!BASE64_TEXT.test(unpadded)) {
		throw new Base64Error('base64 text has characters outside the base64 alphabets');
	}
	if (unpadded.length % 4 === 1) {
		throw new Base64Error(`base64 text has an impossible length (${unpadded.length})`);
	}
	return Buffer.from(unpadded, 'base64');
}

function stripPadding(text: string): string {
	const firstEquals = text.indexOf('=');
	if (firstEquals < 0) {
		return text;
	}
	const padding = text.slice(firstEquals);
	if (!/^={1,2}$/.test(padding) || text.length % 4 !== 0) {
		throw new Base64Error('base64 text has misplaced padding');
	}
	return text.slice(0, firstEquals);
}
