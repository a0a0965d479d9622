import test from 'ava';
import fc from 'fast-check';
import {
	buildXMatrixAuthorization,
	canonicalJson,
	generateSigningKey,
	parseXMatrixAuthorization,
	signJson,
	xMatrixSignedObject,
} from '../src/index.js';
import { MISSING_PYTHON, matrixOrgPython, runMatrixOrgCheck } from './helpers/python.js';
import { SPEC_KEY_ID, SPEC_PUBLIC_KEY, SPEC_SERVER, specKey } from './helpers/spec-key.js';

// These tests need the independent implementation; without it they fail and say what to install.
const python = matrixOrgPython();

test('matrix.org signedjson verifies JSON we signed, and rejects it once changed', async (t) => {
	if (python === null) return t.fail(MISSING_PYTHON);
	const key = generateSigningKey('k1');
	const signed = signJson(
		{ b: [1, 'ﬁ', { '\u{1F600}': null }], a: -9007199254740991, unsigned: { x: 1 }, s: 'é\n"' },
		'sender.example',
		key,
	);
	const answers = await runMatrixOrgCheck(python, {
		mode: 'verify',
		server_name: 'sender.example',
		key_id: key.keyId,
		public_key: key.publicKeyBase64,
		objects: [signed, { ...signed, a: 0 }],
	});
	t.true((answers as unknown[])[0]);
	t.not((answers as unknown[])[1], true);
});

test('matrix.org signedjson verifies our X-Matrix request signatures (PUT with body, GET without)', async (t) => {
	if (python === null) return t.fail(MISSING_PYTHON);
	const key = specKey();
	const requests = [
		{
			method: 'PUT',
			uri: '/_matrix/federation/v1/send/1700000000000',
			origin: 'domain',
			destination: 'remote.example',
			content: { origin: 'domain', origin_server_ts: 1700000000000, pdus: [{ ünï: '😀', n: 1 }] },
		},
		{
			method: 'GET',
			uri: '/_matrix/federation/v1/media/download/abcDEF123?timeout_ms=20000',
			origin: 'domain',
			destination: '[::1]:8448',
		},
	];
	const objects = requests.map((request) => {
		const header = parseXMatrixAuthorization(buildXMatrixAuthorization({ ...request, key }));
		return { ...xMatrixSignedObject(request), signatures: { [header.origin]: { [header.key]: header.sig } } };
	});
	const answers = await runMatrixOrgCheck(python, {
		mode: 'verify',
		server_name: SPEC_SERVER,
		key_id: SPEC_KEY_ID,
		public_key: SPEC_PUBLIC_KEY,
		objects,
	});
	t.deepEqual(answers, [true, true]);
});

test('our canonical JSON is byte-identical to matrix.org canonicaljson on tricky objects', async (t) => {
	if (python === null) return t.fail(MISSING_PYTHON);
	const tricky: unknown[] = [
		{ '\u{1F600}': 2, '\uFB01': 1, '\uE000': 3, '\uD7FF': 4, a: 5, A: 6, '': 7 },
		{ s: '\u0000\u0007\b\t\n\u000b\f\r\u001f\u007f\u0080\u2028\u2029"\\/' },
		{ nested: { z: [{ y: 1, x: [true, false, null] }], é: 'ü', e: '\u{10FFFF}' } },
		{ big: 9007199254740991, small: -9007199254740991, zero: -0 },
		[[], {}, '', 0],
		'日本語',
	];
	const values = [...tricky, ...fc.sample(jsonValue, { numRuns: 300, seed: 20250601 })];
	const expected = (await runMatrixOrgCheck(python, { mode: 'canonical', values })) as string[];
	t.is(expected.length, values.length);
	const ours = values.map((value) => Buffer.from(canonicalJson(value), 'utf8').toString('base64'));
	t.deepEqual(ours, expected);
});

/** Random canonical-JSON-compatible values: any code point in strings and keys, integers across the range. */
const { jsonValue } = fc.letrec<{ jsonValue: unknown }>((tie) => ({
	jsonValue: fc.oneof(
		{ depthSize: 'small', maxDepth: 4 },
		fc.constant(null),
		fc.boolean(),
		fc.integer(),
		fc.maxSafeInteger(),
		fc.string({ unit: 'binary', maxLength: 12 }),
		fc.array(tie('jsonValue'), { maxLength: 5 }),
		fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), tie('jsonValue'), { maxKeys: 6 }),
	),
}));
