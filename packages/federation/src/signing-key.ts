import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { inspect } from 'node:util';
import { decodeBase64, encodeUnpaddedBase64 } from './base64.js';
import { FederationError, SigningKeyError } from './errors.js';

/** DER prefix that turns a 32-byte ed25519 seed into a PKCS#8 private key (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** Key versions allowed by the spec (server-server `keys.yaml`): `[a-zA-Z0-9_]`. */
const VERSION = /^[A-Za-z0-9_]{1,255}$/;

/**
 * An ed25519 signing key of this homeserver, as Synapse stores it (`signing_key_path`). The seed lives only in a
 * private `KeyObject`: `JSON.stringify`, `String()` and `util.inspect` show the key id and public key, never the
 * seed, and no error message quotes it. {@link toKeyFileText} is the single, deliberate way to reveal it.
 */
export class SigningKey {
	/** Always `ed25519`, the only algorithm in use. */
	readonly algorithm = 'ed25519';
	/** The key version, e.g. `a_AbCd` or `1`. */
	readonly version: string;
	/** `ed25519:<version>`, the id put in `signatures` and in the X-Matrix `key` parameter. */
	readonly keyId: string;
	/** The public key, as published under `verify_keys` (unpadded base64 of 32 bytes). */
	readonly publicKeyBase64: string;
	/** The public key as a Node `KeyObject`, for `crypto.verify`. */
	readonly publicKey: KeyObject;
	readonly #privateKey: KeyObject;

	private constructor(version: string, privateKey: KeyObject) {
		this.version = version;
		this.keyId = `ed25519:${version}`;
		this.#privateKey = privateKey;
		this.publicKey = createPublicKey(privateKey);
		this.publicKeyBase64 = encodeUnpaddedBase64(rawPublicKey(this.publicKey));
	}

	/** Builds a key from its version and 32-byte seed (see {@link signingKeyFromSeed}). */
	static fromSeed(version: string, seed: Uint8Array): SigningKey {
		if (!VERSION.test(version)) {
			throw new SigningKeyError('key version must be 1-255 characters of [a-zA-Z0-9_]');
		}
		if (seed.byteLength !== 32) {
			throw new SigningKeyError(`ed25519 seed must be 32 bytes, got ${seed.byteLength}`);
		}
		const der = Buffer.concat([PKCS8_ED25519_PREFIX, seed]);
		return new SigningKey(version, createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
	}

	/** ed25519 signature (64 bytes) of `data`. */
	sign(data: Uint8Array | string): Buffer {
		return sign(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, this.#privateKey);
	}

	/**
	 * The key as one line of Synapse's key file (`ed25519 <version> <seed>\n`). This reveals the secret seed: use
	 * it only to write a key file with restrictive permissions.
	 */
	toKeyFileText(): string {
		const der = this.#privateKey.export({ format: 'der', type: 'pkcs8' });
		return `ed25519 ${this.version} ${encodeUnpaddedBase64(der.subarray(der.length - 32))}\n`;
	}

	/** Public description only: `{ keyId, publicKey }`. */
	toJSON(): { keyId: string; publicKey: string } {
		return { keyId: this.keyId, publicKey: this.publicKeyBase64 };
	}

	/** `SigningKey(ed25519:1, public key ...)`: no seed. */
	toString(): string {
		return `SigningKey(${this.keyId}, public key ${this.publicKeyBase64})`;
	}

	[inspect.custom](): string {
		return this.toString();
	}
}

/** A signing key from its version and 32-byte seed (raw bytes, or base64 as in a key file). */
export function signingKeyFromSeed(version: string, seed: Uint8Array | string): SigningKey {
	let bytes: Uint8Array;
	try {
		bytes = typeof seed === 'string' ? decodeBase64(seed) : seed;
	} catch (error) {
		throw new SigningKeyError('seed is not valid base64', {}, { cause: error });
	}
	return SigningKey.fromSeed(version, bytes);
}

/** A new random signing key with the given version (e.g. for a fresh test homeserver or a key rotation). */
export function generateSigningKey(version: string): SigningKey {
	const { privateKey } = generateKeyPairSync('ed25519');
	const der = privateKey.export({ format: 'der', type: 'pkcs8' });
	return SigningKey.fromSeed(version, der.subarray(der.length - 32));
}

/**
 * Parses the text of a Synapse signing key file: one key per line, `ed25519 <version> <base64 seed>`, fields
 * separated by white space; blank lines are skipped. Every line is checked; the first key is returned (as
 * Synapse signs with the first). Errors name the file and the line, never the seed.
 */
export function parseSigningKeyFile(text: string, file = '(signing key)'): SigningKey {
	let first: SigningKey | undefined;
	const lines = text.split(/\r?\n/);
	for (const [index, line] of lines.entries()) {
		const fields = line
			.trim()
			.split(/\s+/)
			.filter((field) => field !== '');
		if (fields.length === 0) {
			continue;
		}
		const where = { file, line: index + 1 };
		const [algorithm, version, seed] = fields;
		if (fields.length !== 3 || algorithm === undefined || version === undefined || seed === undefined) {
			throw new SigningKeyError(
				`expected "ed25519 <version> <base64 seed>", got ${fields.length} fields`,
				where,
			);
		}
		if (algorithm !== 'ed25519') {
			throw new SigningKeyError(`unsupported algorithm ${JSON.stringify(algorithm.slice(0, 20))}`, where);
		}
		try {
			const key = signingKeyFromSeed(version, seed);
			first ??= key;
		} catch (error) {
			const reason = error instanceof FederationError ? error.message : 'invalid key';
			throw new SigningKeyError(reason, where, { cause: error });
		}
	}
	if (first === undefined) {
		throw new SigningKeyError('no key in the file', { file });
	}
	return first;
}

/** Reads and parses a Synapse signing key file (see {@link parseSigningKeyFile}). */
export async function readSigningKeyFile(path: string): Promise<SigningKey> {
	let text: string;
	try {
		text = await readFile(path, 'utf8');
	} catch (error) {
		const reason = (error as NodeJS.ErrnoException).code ?? 'read error';
		throw new SigningKeyError(`cannot read the file (${reason})`, { file: path }, { cause: error });
	}
	return parseSigningKeyFile(text, path);
}

function rawPublicKey(publicKey: KeyObject): Buffer {
	const der = publicKey.export({ format: 'der', type: 'spki' });
	return der.subarray(der.length - 32);
}
