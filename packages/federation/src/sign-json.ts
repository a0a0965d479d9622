import { createPublicKey, verify } from 'node:crypto';
import { KeyObject } from 'node:crypto';
import { decodeBase64, encodeUnpaddedBase64 } from './base64.js';
import { canonicalJson } from './canonical-json.js';
import { FederationError, SignatureError } from './errors.js';
import type { SigningKey } from './signing-key.js';

/** DER prefix that turns a raw 32-byte ed25519 public key into SPKI (RFC 8410). */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A JSON object, as signed and verified here. */
export type JsonObject = Record<string, unknown>;

/** The bytes that are signed: the object without `signatures` and `unsigned`, as canonical JSON. */
export function signedBytes(object: JsonObject): Buffer {
	const { signatures: _signatures, unsigned: _unsigned, ...rest } = object;
	return Buffer.from(canonicalJson(rest), 'utf8');
}

/**
 * Signs a JSON object as the spec's "Signing JSON" says: `signatures` and `unsigned` are left out of the signed
 * bytes, the signature is added under `signatures[serverName][key.keyId]`, merged with any signatures already
 * there, and `unsigned` is kept as it was. Returns a new object; the input is not modified.
 */
export function signJson<T extends JsonObject>(object: T, serverName: string, key: SigningKey): T {
	const signature = encodeUnpaddedBase64(key.sign(signedBytes(object)));
	const existing = asRecord(object['signatures']) ?? {};
	const forServer = asRecord(existing[serverName]) ?? {};
	return {
		...object,
		signatures: { ...existing, [serverName]: { ...forServer, [key.keyId]: signature } },
	};
}

/**
 * Checks the signature of `serverName` with `keyId` on a signed JSON object. `publicKey` is the unpadded base64
 * text published in `verify_keys`, the raw 32 bytes, or a `KeyObject`. Throws {@link SignatureError} when the
 * signature is missing, malformed or wrong; returns nothing when it verifies.
 */
export function verifySignedJson(
	object: JsonObject,
	serverName: string,
	keyId: string,
	publicKey: string | Uint8Array | KeyObject,
): void {
	const signature = asRecord(asRecord(object['signatures'])?.[serverName])?.[keyId];
	if (typeof signature !== 'string') {
		throw new SignatureError(
			`no signature by ${JSON.stringify(serverName)} with key ${JSON.stringify(keyId)}`,
		);
	}
	let signatureBytes: Buffer;
	try {
		signatureBytes = decodeBase64(signature);
	} catch (error) {
		throw new SignatureError('signature is not base64', { cause: error });
	}
	if (signatureBytes.length !== 64) {
		throw new SignatureError(`ed25519 signature must be 64 bytes, got ${signatureBytes.length}`);
	}
	const key = toPublicKey(publicKey);
	if (!verify(null, signedBytes(object), key, signatureBytes)) {
		throw new SignatureError(
			`signature by ${JSON.stringify(serverName)} with ${JSON.stringify(keyId)} does not verify`,
		);
	}
}

/** An ed25519 public key `KeyObject` from unpadded base64 text or the raw 32 bytes. */
export function ed25519PublicKey(publicKey: string | Uint8Array): KeyObject {
	let raw: Uint8Array;
	try {
		raw = typeof publicKey === 'string' ? decodeBase64(publicKey) : publicKey;
	} catch (error) {
		throw new SignatureError('public key is not base64', { cause: error });
	}
	if (raw.byteLength !== 32) {
		throw new SignatureError(`ed25519 public key must be 32 bytes, got ${raw.byteLength}`);
	}
	return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

function toPublicKey(publicKey: string | Uint8Array | KeyObject): KeyObject {
	if (publicKey instanceof KeyObject) {
		if (publicKey.asymmetricKeyType !== 'ed25519') {
			throw new SignatureError('public key is not an ed25519 key');
		}
		return publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey;
	}
	try {
		return ed25519PublicKey(publicKey);
	} catch (error) {
		throw error instanceof FederationError
			? error
			: new SignatureError('invalid public key', { cause: error });
	}
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
	return typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: undefined;
}
