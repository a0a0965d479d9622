import test from 'ava';
import { decodeBase64, encodeUnpaddedBase64 } from '../src/index.js';

// Spec appendix "Unpadded Base64" test vectors.
const SPEC_VECTORS: ReadonlyArray<[string, string]> = [
	['', ''],
	['f', 'Zg'],
	['fo', 'Zm8'],
	['foo', 'Zm9v'],
	['foob', 'Zm9vYg'],
	['fooba', 'Zm9vYmE'],
	['foobar', 'Zm9vYmFy'],
];

for (const [input, expected] of SPEC_VECTORS) {
	test(`UNPADDED_BASE64(${JSON.stringify(input)}) is ${JSON.stringify(expected)} and decodes back`, (t) => {
		t.is(encodeUnpaddedBase64(input), expected);
		t.is(encodeUnpaddedBase64(Buffer.from(input)), expected);
		t.is(decodeBase64(expected).toString('utf8'), input);
	});
}

test('padded input decodes too, as the spec asks of receivers', (t) => {
	t.is(decodeBase64('Zm8=').toString(), 'fo');
	t.is(decodeBase64('Zg==').toString(), 'f');
});

test('the URL-safe alphabet is tolerated on decode', (t) => {
	const bytes = Buffer.from([0xfb, 0xff, 0xfe]);
	t.is(encodeUnpaddedBase64(bytes), '+//+');
	t.deepEqual(decodeBase64('-__-'), bytes);
});

test('encoding a view of a larger buffer uses only the view', (t) => {
	const whole = Buffer.from('xxfooxx');
	t.is(encodeUnpaddedBase64(whole.subarray(2, 5)), 'Zm9v');
});

for (const bad of ['Zm9v!', 'Zm 9v', 'Z', 'Zm9vY', 'Zg=', 'Z===', 'Zg==Zg', '=Zg', 'Zm9v\n']) {
	test(`malformed base64 ${JSON.stringify(bad)} is refused with ERR_BASE64_INVALID`, (t) => {
		const error = t.throws(() => decodeBase64(bad));
		t.is((error as { code?: string }).code, 'ERR_BASE64_INVALID');
	});
}
