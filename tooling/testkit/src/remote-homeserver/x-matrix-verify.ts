import { createPublicKey, verify } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** DER prefix that turns a raw 32-byte ed25519 public key into SPKI (RFC 8410). */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A public key the remote homeserver trusts: the key id (`ed25519:1`) and its unpadded base64 public key. */
export interface TrustedKey {
	readonly keyId: string;
	readonly publicKeyBase64: string;
}

/** The parameters of an `Authorization: X-Matrix ...` header. */
export interface XMatrixParams {
	readonly origin: string;
	readonly destination: string | undefined;
	readonly key: string;
	readonly sig: string;
}

/** What a request signature covers; `content` is absent when the request had no body. */
export interface SignedRequest {
	readonly method: string;
	readonly uri: string;
	readonly destination: string;
	readonly content?: unknown;
}

/** The outcome of a check: the verified origin, or why the request is refused. */
export type VerifyResult =
	{ readonly ok: true; readonly origin: string } | { readonly ok: false; readonly reason: string };

/**
 * Parses `X-Matrix name=value,name="quoted value",...` leniently, as a receiver should: names case-insensitive,
 * values quoted or not, backslash escapes inside quotes, white space around commas. Returns undefined when the
 * scheme is not X-Matrix or `origin`, `key` or `sig` is missing.
 */
export function parseXMatrix(header: string): XMatrixParams | undefined {
	const match = /^X-Matrix +(.*)$/is.exec(header.trim());
	if (match === null) return undefined;
	const params = new Map<string, string>();
	const pattern = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*?))\s*(?:,|$)/gy;
	const text = match[1] ?? '';
	let part: RegExpExecArray | null;
	while (pattern.lastIndex < text.length && (part = pattern.exec(text)) !== null) {
		const value = part[2] === undefined ? (part[3] ?? '') : part[2].replace(/\\(.)/g, '$1');
		params.set((part[1] ?? '').toLowerCase(), value);
	}
	const origin = params.get('origin');
	const key = params.get('key');
	const sig = params.get('sig');
	if (origin === undefined || key === undefined || sig === undefined) return undefined;
	return { origin, destination: params.get('destination'), key, sig };
}

/**
 * Checks an X-Matrix header against the keys this server trusts: the origin must be known with that key id, the
 * destination (when present) must be us, and the ed25519 signature over the canonical JSON of
 * `{method, uri, origin, destination[, content]}` must verify.
 */
export function verifyXMatrix(
	header: string | undefined,
	request: SignedRequest,
	trusted: Readonly<Record<string, TrustedKey>>,
): VerifyResult {
	if (header === undefined) return { ok: false, reason: 'missing Authorization header' };
	const params = parseXMatrix(header);
	if (params === undefined) return { ok: false, reason: 'malformed X-Matrix Authorization header' };
	if (params.destination !== undefined && params.destination !== request.destination) {
		return { ok: false, reason: `destination ${JSON.stringify(params.destination)} is not this server` };
	}
	const key = Object.hasOwn(trusted, params.origin) ? trusted[params.origin] : undefined;
	if (key === undefined || key.keyId !== params.key) {
		return {
			ok: false,
			reason: `unknown key ${JSON.stringify(params.key)} of ${JSON.stringify(params.origin)}`,
		};
	}
	if (!BASE64.test(params.sig)) return { ok: false, reason: 'signature is not base64' };
	const signed: Record<string, unknown> = {
		method: request.method,
		uri: request.uri,
		origin: params.origin,
		destination: request.destination,
	};
	if (request.content !== undefined) signed['content'] = request.content;
	let bytes: Buffer;
	try {
		bytes = Buffer.from(canonicalJson(signed), 'utf8');
	} catch {
		return { ok: false, reason: 'the request body is not canonical JSON' };
	}
	const publicKey = createPublicKey({
		key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(key.publicKeyBase64, 'base64')]),
		format: 'der',
		type: 'spki',
	});
	const valid = verify(null, bytes, publicKey, Buffer.from(params.sig, 'base64'));
	return valid ? { ok: true, origin: params.origin } : { ok: false, reason: 'signature does not verify' };
}
