import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import test from 'ava';
import {
	generateSigningKey,
	parseSigningKeyFile,
	readSigningKeyFile,
	SigningKeyError,
	signingKeyFromSeed,
	signJson,
	verifySignedJson,
} from '../src/index.js';
import { SPEC_PUBLIC_KEY, SPEC_SEED } from './helpers/spec-key.js';

test('a Synapse key file line gives the key id and public key', (t) => {
	const key = parseSigningKeyFile(`ed25519 a_Ab9 ${SPEC_SEED}\n`, 'homeserver.signing.key');
	t.is(key.keyId, 'ed25519:a_Ab9');
	t.is(key.version, 'a_Ab9');
	t.is(key.publicKeyBase64, SPEC_PUBLIC_KEY);
});

test('with several keys the first is used, blank lines, CRLF and extra spaces are fine', (t) => {
	const other = generateSigningKey('old');
	const text = `\r\n  ed25519   new   ${SPEC_SEED}  \r\n\r\n${other.toKeyFileText()}`;
	t.is(parseSigningKeyFile(text).keyId, 'ed25519:new');
});

test('a padded seed is accepted as well', (t) => {
	t.is(parseSigningKeyFile(`ed25519 1 ${SPEC_SEED}=`).publicKeyBase64, SPEC_PUBLIC_KEY);
});

const BAD_FILES: ReadonlyArray<[string, string, number | undefined, RegExp]> = [
	['an empty file', '\n\n', undefined, /no key in the file/],
	['two fields', `ed25519 ${SPEC_SEED}`, 1, /expected "ed25519 <version> <base64 seed>", got 2 fields/],
	['four fields', `ed25519 1 ${SPEC_SEED} extra`, 1, /got 4 fields/],
	['another algorithm', `curve25519 1 ${SPEC_SEED}`, 1, /unsupported algorithm "curve25519"/],
	['a bad version', `ed25519 a-b ${SPEC_SEED}`, 1, /version must be/],
	['a seed that is not base64', 'ed25519 1 not*base64', 1, /seed is not valid base64/],
	['a short seed', 'ed25519 1 Zm9vYmFy', 1, /seed must be 32 bytes, got 6/],
	['a bad second line', `ed25519 1 ${SPEC_SEED}\n\ned25519 2 Zm9v`, 3, /32 bytes/],
];

for (const [what, text, line, message] of BAD_FILES) {
	test(`a key file with ${what} fails naming the file${line === undefined ? '' : ' and line'}`, (t) => {
		const error = t.throws(() => parseSigningKeyFile(text, '/etc/synapse/hs.key'), {
			instanceOf: SigningKeyError,
		});
		t.is(error.code, 'ERR_SIGNING_KEY_INVALID');
		t.is(error.file, '/etc/synapse/hs.key');
		t.is(error.line, line);
		t.regex(error.message, /^signing key file \/etc\/synapse\/hs\.key/);
		t.regex(error.message, message);
		t.false(error.message.includes(SPEC_SEED.slice(0, 10)), 'the seed is never quoted');
	});
}

test('readSigningKeyFile reads a file and names it when missing', async (t) => {
	const dir = await mkdtemp(join(tmpdir(), 'federation-key-'));
	try {
		const path = join(dir, 'server.signing.key');
		await writeFile(path, `ed25519 1 ${SPEC_SEED}\n`, { mode: 0o600 });
		t.is((await readSigningKeyFile(path)).publicKeyBase64, SPEC_PUBLIC_KEY);
		const error = await t.throwsAsync(readSigningKeyFile(join(dir, 'missing.key')), {
			instanceOf: SigningKeyError,
		});
		t.regex(error.message, /missing\.key: cannot read the file \(ENOENT\)/);
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
});

test('the seed never shows in JSON, String() or util.inspect', (t) => {
	const key = signingKeyFromSeed('1', SPEC_SEED);
	const seedHex = Buffer.from(SPEC_SEED, 'base64').toString('hex');
	for (const text of [
		JSON.stringify(key),
		String(key),
		inspect(key, { showHidden: true, depth: 5 }),
		JSON.stringify({ key }),
	]) {
		t.false(text.includes(SPEC_SEED), text);
		t.false(text.includes(seedHex), text);
		t.true(text.includes(SPEC_PUBLIC_KEY));
	}
	t.deepEqual(JSON.parse(JSON.stringify(key)), { keyId: 'ed25519:1', publicKey: SPEC_PUBLIC_KEY });
});

test('toKeyFileText round-trips through the key file parser', (t) => {
	const key = signingKeyFromSeed('1', SPEC_SEED);
	// The spec's seed text has non-zero trailing bits; written back, it is in canonical base64.
	t.is(key.toKeyFileText(), 'ed25519 1 YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA0\n');
	t.is(parseSigningKeyFile(key.toKeyFileText()).publicKeyBase64, SPEC_PUBLIC_KEY);
	const fresh = generateSigningKey('fresh_1');
	const again = parseSigningKeyFile(fresh.toKeyFileText());
	t.is(again.publicKeyBase64, fresh.publicKeyBase64);
	t.notThrows(() =>
		verifySignedJson(signJson({ a: 1 }, 'x', again), 'x', 'ed25519:fresh_1', fresh.publicKeyBase64),
	);
});

test('two generated keys differ', (t) => {
	t.not(generateSigningKey('a').publicKeyBase64, generateSigningKey('a').publicKeyBase64);
});

test('signingKeyFromSeed checks the version and seed length', (t) => {
	t.throws(() => signingKeyFromSeed('', SPEC_SEED), { instanceOf: SigningKeyError });
	t.throws(() => signingKeyFromSeed('1', new Uint8Array(31)), {
		instanceOf: SigningKeyError,
		message: /32 bytes/,
	});
	t.is(signingKeyFromSeed('1', Buffer.from(SPEC_SEED, 'base64')).publicKeyBase64, SPEC_PUBLIC_KEY);
});
