// loadSigningKey: the key of `signing_key_path`, with errors an operator can act on (the setting named, the file
// named, the seed never quoted).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { loadSigningKey, SigningKeyError, SigningKeyMissingError } from '../src/index.js';
import { SPEC_PUBLIC_KEY, SPEC_SEED } from './helpers/spec-key.js';

async function keyDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
	const dir = await mkdtemp(join(tmpdir(), 'federation-load-key-'));
	t.teardown(() => rm(dir, { recursive: true, force: true }));
	return dir;
}

test('the key file of signing_key_path is read in Synapse’s format', async (t) => {
	const path = join(await keyDir(t), 'server.signing.key');
	await writeFile(path, `ed25519 a_1 ${SPEC_SEED}\n`, { mode: 0o600 });
	const key = await loadSigningKey({ signingKeyPath: path });
	t.is(key.keyId, 'ed25519:a_1');
	t.is(key.publicKeyBase64, SPEC_PUBLIC_KEY);
});

test('an unset signing_key_path is ERR_SIGNING_KEY_MISSING naming the setting', async (t) => {
	const error = await t.throwsAsync(loadSigningKey({ signingKeyPath: null }), {
		instanceOf: SigningKeyMissingError,
	});
	t.like(error, { code: 'ERR_SIGNING_KEY_MISSING', key: 'signing_key_path', path: null });
	t.regex(error.message, /^signing_key_path is not set/);
});

test('an unreadable key file is ERR_SIGNING_KEY_MISSING naming the setting, the file and the reason', async (t) => {
	const dir = await keyDir(t);
	const missing = join(dir, 'missing.key');
	const error = await t.throwsAsync(loadSigningKey({ signingKeyPath: missing }), {
		instanceOf: SigningKeyMissingError,
	});
	t.like(error, { code: 'ERR_SIGNING_KEY_MISSING', key: 'signing_key_path', path: missing });
	t.is(error.message, `signing_key_path ${missing} cannot be read (ENOENT)`);
	t.is((error.cause as NodeJS.ErrnoException).code, 'ENOENT');
	const directory = await t.throwsAsync(loadSigningKey({ signingKeyPath: dir }));
	t.regex(directory.message, /cannot be read \(EISDIR\)/);
});

test('a malformed key file is ERR_SIGNING_KEY_INVALID naming file and line, never the seed', async (t) => {
	const path = join(await keyDir(t), 'bad.key');
	await writeFile(path, `\ned25519 1 ${SPEC_SEED} extra\n`);
	const error = await t.throwsAsync(loadSigningKey({ signingKeyPath: path }), {
		instanceOf: SigningKeyError,
	});
	t.like(error, { code: 'ERR_SIGNING_KEY_INVALID', file: path, line: 2 });
	t.false(error.message.includes(SPEC_SEED.slice(0, 10)));
});
