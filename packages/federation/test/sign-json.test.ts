import { createPublicKey } from 'node:crypto';
import test from 'ava';
import { decodeBase64, SignatureError, signJson, signedBytes, verifySignedJson } from '../src/index.js';
import { signEventV1 } from './helpers/event-signing.js';
import { SPEC_KEY_ID, SPEC_PUBLIC_KEY, SPEC_SERVER, specKey } from './helpers/spec-key.js';

test('the spec key has the public key and key id of the test vectors', (t) => {
	const key = specKey();
	t.is(key.keyId, SPEC_KEY_ID);
	t.is(key.publicKeyBase64, SPEC_PUBLIC_KEY);
});

test('spec JSON signing vector: {}', (t) => {
	t.deepEqual(signJson({}, SPEC_SERVER, specKey()), {
		signatures: {
			domain: {
				'ed25519:1': 'K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ',
			},
		},
	});
});

test('spec JSON signing vector: {"one":1,"two":"Two"}', (t) => {
	t.deepEqual(signJson({ one: 1, two: 'Two' }, SPEC_SERVER, specKey()), {
		one: 1,
		signatures: {
			domain: {
				'ed25519:1': 'KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw',
			},
		},
		two: 'Two',
	});
});

test('spec event signing vector: minimal event', (t) => {
	const event = {
		room_id: '!x:domain',
		sender: '@a:domain',
		origin: 'domain',
		origin_server_ts: 1000000,
		signatures: {},
		hashes: {},
		type: 'X',
		content: {},
		prev_events: [],
		auth_events: [],
		depth: 3,
		unsigned: { age_ts: 1000000 },
	};
	t.deepEqual(signEventV1(event, SPEC_SERVER, specKey()), {
		auth_events: [],
		content: {},
		depth: 3,
		hashes: { sha256: '5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos' },
		origin: 'domain',
		origin_server_ts: 1000000,
		prev_events: [],
		room_id: '!x:domain',
		sender: '@a:domain',
		signatures: {
			domain: {
				'ed25519:1': 'KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg',
			},
		},
		type: 'X',
		unsigned: { age_ts: 1000000 },
	});
});

test('spec event signing vector: redactable content', (t) => {
	const event = {
		content: { body: 'Here is the message content' },
		event_id: '$0:domain',
		origin: 'domain',
		origin_server_ts: 1000000,
		type: 'm.room.message',
		room_id: '!r:domain',
		sender: '@u:domain',
		signatures: {},
		unsigned: { age_ts: 1000000 },
	};
	t.deepEqual(signEventV1(event, SPEC_SERVER, specKey()), {
		content: { body: 'Here is the message content' },
		event_id: '$0:domain',
		hashes: { sha256: 'onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g' },
		origin: 'domain',
		origin_server_ts: 1000000,
		type: 'm.room.message',
		room_id: '!r:domain',
		sender: '@u:domain',
		signatures: {
			domain: {
				'ed25519:1': 'Wm+VzmOUOz08Ds+0NTWb1d4CZrVsJSikkeRxh6aCcUwu6pNC78FunoD7KNWzqFn241eYHYMGCA5McEiVPdhzBA',
			},
		},
		unsigned: { age_ts: 1000000 },
	});
});

test('signing ignores `unsigned` and existing signatures, keeps both, and merges the new signature', (t) => {
	const key = specKey();
	const input = {
		one: 1,
		two: 'Two',
		unsigned: { age: 5 },
		signatures: { other: { 'ed25519:x': 'abc' }, domain: { 'ed25519:old': 'def' } },
	};
	const signed = signJson(input, SPEC_SERVER, key);
	t.deepEqual(signed.signatures, {
		other: { 'ed25519:x': 'abc' },
		domain: {
			'ed25519:old': 'def',
			'ed25519:1': 'KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw',
		},
	});
	t.deepEqual(signed.unsigned, { age: 5 });
	t.deepEqual(input.signatures.domain, { 'ed25519:old': 'def' }, 'the input is not modified');
	t.is(signedBytes(signed).toString(), '{"one":1,"two":"Two"}');
});

test('a signature verifies with the base64 public key, the raw bytes and a KeyObject', (t) => {
	const key = specKey();
	const signed = signJson({ hello: 'world' }, SPEC_SERVER, key);
	t.notThrows(() => verifySignedJson(signed, SPEC_SERVER, SPEC_KEY_ID, SPEC_PUBLIC_KEY));
	t.notThrows(() => verifySignedJson(signed, SPEC_SERVER, SPEC_KEY_ID, decodeBase64(SPEC_PUBLIC_KEY)));
	t.notThrows(() => verifySignedJson(signed, SPEC_SERVER, SPEC_KEY_ID, key.publicKey));
	t.notThrows(() =>
		verifySignedJson({ ...signed, unsigned: { changed: true } }, SPEC_SERVER, SPEC_KEY_ID, SPEC_PUBLIC_KEY),
	);
});

test('verification fails on a changed value, a wrong key, a missing or malformed signature', (t) => {
	const key = specKey();
	const signed = signJson({ hello: 'world' }, SPEC_SERVER, key);
	const fails = (
		object: Record<string, unknown>,
		server = SPEC_SERVER,
		keyId = SPEC_KEY_ID,
		pub: unknown = SPEC_PUBLIC_KEY,
	) => t.throws(() => verifySignedJson(object, server, keyId, pub as string), { instanceOf: SignatureError });
	t.regex(fails({ ...signed, hello: 'World' }).message, /does not verify/);
	t.regex(fails(signed, 'other').message, /no signature/);
	t.regex(fails(signed, SPEC_SERVER, 'ed25519:2').message, /no signature/);
	t.regex(fails({ ...signed, signatures: { domain: { 'ed25519:1': 'not base64!' } } }).message, /not base64/);
	t.regex(fails({ ...signed, signatures: { domain: { 'ed25519:1': 'Zm9v' } } }).message, /64 bytes/);
	t.regex(fails(signed, SPEC_SERVER, SPEC_KEY_ID, 'Zm9v').message, /32 bytes/);
	const otherKey = createPublicKey(specKey().publicKey.export({ format: 'pem', type: 'spki' }));
	t.notThrows(() => verifySignedJson(signed, SPEC_SERVER, SPEC_KEY_ID, otherKey));
	t.is(fails(signed, SPEC_SERVER, SPEC_KEY_ID, 'A'.repeat(43)).code, 'ERR_SIGNATURE_INVALID');
});
