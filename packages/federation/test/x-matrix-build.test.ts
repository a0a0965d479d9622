import test from 'ava';
import {
	buildXMatrixAuthorization,
	canonicalJson,
	CanonicalJsonError,
	parseXMatrixAuthorization,
	verifySignedJson,
	XMatrixError,
	xMatrixSignedObject,
} from '../src/index.js';
import { SPEC_PUBLIC_KEY, specKey } from './helpers/spec-key.js';

// Derived vectors (reference matrix-federation.md 2.7), computed with Node and Python `cryptography`.
test('derived vector 1: PUT /send with a body', (t) => {
	const request = {
		method: 'PUT',
		uri: '/_matrix/federation/v1/send/1700000000000',
		origin: 'domain',
		destination: 'remote.example',
		content: { origin: 'domain', origin_server_ts: 1700000000000, pdus: [] },
	};
	t.is(
		canonicalJson(xMatrixSignedObject(request)),
		'{"content":{"origin":"domain","origin_server_ts":1700000000000,"pdus":[]},"destination":"remote.example","method":"PUT","origin":"domain","uri":"/_matrix/federation/v1/send/1700000000000"}',
	);
	t.is(
		buildXMatrixAuthorization({ ...request, key: specKey() }),
		'X-Matrix origin="domain",destination="remote.example",key="ed25519:1",sig="xlbSI5zw4CYonpM3BvCNPWPXpIKIDbI3Rn8hIBaUYzuAlkcAlx0+nsfgUEi6XfCv0EoXfJzzMiFfEsKAHOXUAA"',
	);
});

test('a body given as its canonical JSON is signed exactly as the parsed body, and the fields are still checked', (t) => {
	const content = {
		pdus: [{ content: { body: 'caf\u00e9 "\\" \u{1f600}' }, room_id: '!r:x' }],
		origin: 'domain',
	};
	const request = {
		method: 'PUT',
		uri: '/_matrix/federation/v1/send/1?"\\',
		origin: 'domain',
		destination: 'remote.example',
	};
	t.is(
		buildXMatrixAuthorization({ ...request, key: specKey(), contentJson: canonicalJson(content) }),
		buildXMatrixAuthorization({ ...request, key: specKey(), content }),
	);
	t.throws(
		() =>
			buildXMatrixAuthorization({
				...request,
				method: 'put',
				key: specKey(),
				contentJson: canonicalJson(content),
			}),
		{ instanceOf: XMatrixError },
	);
});

test('derived vector 2: GET with a query and no body has no content', (t) => {
	const request = {
		method: 'GET',
		uri: '/_matrix/federation/v1/media/download/abcDEF123?timeout_ms=20000',
		origin: 'domain',
		destination: 'remote.example',
	};
	t.is(
		canonicalJson(xMatrixSignedObject(request)),
		'{"destination":"remote.example","method":"GET","origin":"domain","uri":"/_matrix/federation/v1/media/download/abcDEF123?timeout_ms=20000"}',
	);
	t.is(
		buildXMatrixAuthorization({ ...request, key: specKey() }),
		'X-Matrix origin="domain",destination="remote.example",key="ed25519:1",sig="gDX5ZJVx6CaT6fizimdPpIQUF5P8O8G7iXfISr2Lj2z6D3j3F0jTtthA02bTj+OH3C0fU/l3Aqle5KBqrmCuDA"',
	);
});

test('a built header parses back and its signature verifies over the request', (t) => {
	const request = {
		method: 'PUT',
		uri: '/_matrix/x?a=%21',
		origin: 'a.example:8448',
		destination: '[::1]:1234',
		content: { k: 'v' },
	};
	const parsed = parseXMatrixAuthorization(buildXMatrixAuthorization({ ...request, key: specKey() }));
	t.deepEqual(
		{ ...parsed, sig: undefined },
		{ origin: 'a.example:8448', destination: '[::1]:1234', key: 'ed25519:1', sig: undefined },
	);
	const signed = {
		...xMatrixSignedObject(request),
		signatures: { [parsed.origin]: { [parsed.key]: parsed.sig } },
	};
	t.notThrows(() => verifySignedJson(signed, parsed.origin, parsed.key, SPEC_PUBLIC_KEY));
});

const BAD_REQUESTS: ReadonlyArray<[string, Record<string, unknown>]> = [
	['a lower-case method', { method: 'put' }],
	['a uri without leading slash', { uri: '_matrix/x' }],
	['a uri with a space', { uri: '/_matrix/x y' }],
	['a full URL as uri', { uri: 'https://remote.example/_matrix' }],
	['an origin with a quote', { origin: 'a"b' }],
	['a non-ASCII destination', { destination: 'bücher.example' }],
	['an origin with a path', { origin: 'a.example/x' }],
];

for (const [what, change] of BAD_REQUESTS) {
	test(`building refuses ${what}`, (t) => {
		const request = {
			method: 'GET',
			uri: '/_matrix/x',
			origin: 'a.example',
			destination: 'b.example',
			key: specKey(),
			...change,
		};
		t.throws(() => buildXMatrixAuthorization(request as never), { instanceOf: XMatrixError });
	});
}

test('building refuses content that is not canonical JSON', (t) => {
	const request = {
		method: 'PUT',
		uri: '/x',
		origin: 'a',
		destination: 'b',
		key: specKey(),
		content: { f: 0.5 },
	};
	t.throws(() => buildXMatrixAuthorization(request), { instanceOf: CanonicalJsonError });
});
