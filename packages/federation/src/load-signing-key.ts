import { readFile } from 'node:fs/promises';
import type { Config } from '@homeserver/config';
import { SigningKeyMissingError } from './errors.js';
import { parseSigningKeyFile } from './signing-key.js';
import type { SigningKey } from './signing-key.js';

/**
 * The server's signing key from the configuration (`signing_key_path`, Synapse's key file format), for workers
 * that sign federation requests, so that each does not repeat the checks. Unset or unreadable:
 * {@link SigningKeyMissingError} (`ERR_SIGNING_KEY_MISSING`, naming `signing_key_path` and the file); a malformed
 * file: `SigningKeyError` (`ERR_SIGNING_KEY_INVALID`, naming the file and line). No message quotes the seed.
 */
export async function loadSigningKey(config: Pick<Config, 'signingKeyPath'>): Promise<SigningKey> {
	const path = config.signingKeyPath;
	if (path === null) {
		throw new SigningKeyMissingError(
			'signing_key_path is not set: federation requests must be signed with the server key',
			null,
		);
	}
	let text: string;
	try {
		text = await readFile(path, 'utf8');
	} catch (error) {
		const reason = (error as NodeJS.ErrnoException).code ?? 'read error';
		throw new SigningKeyMissingError(`signing_key_path ${path} cannot be read (${reason})`, path, {
			cause: error,
		});
	}
	return parseSigningKeyFile(text, path);
}
