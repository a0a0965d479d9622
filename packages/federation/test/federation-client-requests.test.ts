// Requests and answers: signed JSON bodies verified by the remote homeserver, remote errors, caps, streams.
import { createHash } from 'node:crypto';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { generatedBytes } from '@homeserver/testkit';
import type { RemoteHomeserver } from '@homeserver/testkit';
import {
	canonicalJson,
	encodePathSegment,
	FederationRequestError,
	generateSigningKey,
	MatrixRemoteError,
} from '../src/index.js';
import { configFor, federationClient, ORIGIN, remoteServer } from './helpers/federation-net.js';
import type { TestClient } from './helpers/federation-net.js';

async function setup(
	t: ExecutionContext,
): Promise<{ server: RemoteHomeserver; net: TestClient; name: string }> {
	const server = await remoteServer(t);
	const name = `testserv:${server.port}`;
	server.setServerName(name);
	return { server, name, net: await federationClient(t, await configFor()) };
}

const transaction = {
	origin: ORIGIN,
	origin_server_ts: 1_700_000_000_000,
	pdus: [{ event_id: '$e1', room_id: '!r:origin.test', content: { body: 'héllo 😀', n: 1 } }],
	edus: [{ edu_type: 'm.typing', content: { typing: true } }],
};

test('a PUT transaction arrives signed, as canonical JSON with Content-Type application/json, and is accepted once', async (t) => {
	const { server, net, name } = await setup(t);
	const path = `/_matrix/federation/v1/send/${encodePathSegment('txn 1!')}`;
	t.is(path, '/_matrix/federation/v1/send/txn%201%21');
	const first = await net.client.request(name, { method: 'PUT', path, body: transaction });
	t.deepEqual(first, { status: 200, headers: first.headers, body: { pdus: { $e1: {} } } });
	await net.client.request(name, { method: 'PUT', path, body: transaction });
	t.like(server.requests[0], { method: 'PUT', url: path, authorization: 'valid', origin: ORIGIN });
	t.is(server.requests[0]?.headers['content-type'], 'application/json');
	t.deepEqual(server.requests[0]?.content, transaction);
	t.is(server.transactions.length, 1);
	t.is(server.transactions[0]?.txnId, 'txn 1!');
	t.is(server.duplicates, 1);
	t.deepEqual(server.pdus(ORIGIN), transaction.pdus);
});

test('a canonicalBody is signed and sent byte for byte, and the remote verifies it as the same content', async (t) => {
	const { server, net, name } = await setup(t);
	const path = '/_matrix/federation/v1/send/stored';
	const stored = canonicalJson(transaction);
	await net.client.request(name, { method: 'PUT', path, canonicalBody: stored });
	t.like(server.requests[0], { authorization: 'valid', origin: ORIGIN });
	t.deepEqual(server.requests[0]?.content, transaction);
	t.is(server.requests[0]?.headers['content-length'], String(Buffer.byteLength(stored)));
});

test('body and canonicalBody together, or a canonicalBody that is no object, are refused before anything is sent', async (t) => {
	const { server, net, name } = await setup(t);
	const path = '/_matrix/federation/v1/send/x';
	await t.throwsAsync(net.client.request(name, { method: 'PUT', path, body: {}, canonicalBody: '{}' }), {
		instanceOf: FederationRequestError,
		message: /body or canonicalBody, not both/,
	});
	await t.throwsAsync(net.client.request(name, { method: 'PUT', path, canonicalBody: '[1]' }), {
		instanceOf: FederationRequestError,
		message: /canonicalBody must be/,
	});
	t.is(server.requests.length, 0);
});

test('a remote 429 with retry_after_ms becomes MatrixRemoteError with status, errcode and retryAfterMs', async (t) => {
	const { server, net, name } = await setup(t);
	server.answer429(1500);
	const error = await t.throwsAsync(
		net.client.request(name, { method: 'PUT', path: '/_matrix/federation/v1/send/1', body: transaction }),
		{ instanceOf: MatrixRemoteError },
	);
	t.like(error, { code: 'ERR_MATRIX_REMOTE', status: 429, errcode: 'M_LIMIT_EXCEEDED', retryAfterMs: 1500 });
	t.is(server.requests.length, 1);
	t.is(server.transactions.length, 0);
});

test('a remote that does not trust our key answers 401 M_UNAUTHORIZED, as a MatrixRemoteError', async (t) => {
	const { server, net, name } = await setup(t);
	const other = generateSigningKey('t1');
	server.trust(ORIGIN, { keyId: other.keyId, publicKeyBase64: other.publicKeyBase64 });
	const error = await t.throwsAsync(
		net.client.request(name, { method: 'GET', path: '/_matrix/federation/v1/version' }),
	);
	t.like(error, { status: 401, errcode: 'M_UNAUTHORIZED' });
	t.like(server.requests[0], { authorization: 'invalid', rejection: 'signature does not verify' });
});

test('a path that would not go on the wire as signed is refused before anything is sent', async (t) => {
	const { server, net, name } = await setup(t);
	for (const path of ['/a/../b', '/a b', '/x{y}', 'relative', '/a#frag']) {
		await t.throwsAsync(net.client.request(name, { method: 'GET', path }), {
			instanceOf: FederationRequestError,
		});
	}
	t.is(server.requests.length, 0);
});

test('a JSON answer larger than maxBytes is ERR_RESPONSE_TOO_LARGE; a 2xx answer that is not JSON is refused', async (t) => {
	const { server, net, name } = await setup(t);
	server.handle('GET', '/big', () => ({ body: { filler: 'x'.repeat(5000) } }));
	server.handle('GET', '/list', () => ({ body: [1, 2] }));
	await t.throwsAsync(net.client.request(name, { method: 'GET', path: '/big', maxBytes: 1000 }), {
		code: 'ERR_RESPONSE_TOO_LARGE',
	} as never);
	await t.throwsAsync(net.client.request(name, { method: 'GET', path: '/list' }), {
		instanceOf: FederationRequestError,
	});
	t.like((await net.client.request(name, { method: 'GET', path: '/big' })).body, {
		filler: 'x'.repeat(5000),
	});
});

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

test('stream() gives the signed media download as it streams; an unknown endpoint is M_UNRECOGNIZED', async (t) => {
	const { server, net, name } = await setup(t);
	const size = 2 * 1024 * 1024 + 3;
	server.media.add('m1', { size, contentType: 'application/octet-stream', boundary: 'b'.repeat(32) });
	const answer = await net.client.stream(name, {
		method: 'GET',
		path: '/_matrix/federation/v1/media/download/m1',
		maxBytes: size + 1000,
	});
	t.is(answer.status, 200);
	t.is(answer.headers['content-type'], `multipart/mixed; boundary=${'b'.repeat(32)}`);
	t.like(answer.candidate, { host: 'testserv', sni: 'testserv' });
	const body = await readAll(answer.body);
	const start = body.indexOf('\r\n\r\n', body.indexOf('Content-Disposition')) + 4;
	const file = body.subarray(start, start + size);
	const digest = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
	t.is(digest(file), digest(generatedBytes(0, size)));
	t.like(server.requests[0], { authorization: 'valid' });

	await t.throwsAsync(
		net.client.stream(name, {
			method: 'GET',
			path: '/_matrix/federation/v1/media/download/m1',
			maxBytes: 1000,
		}),
		{ code: 'ERR_RESPONSE_TOO_LARGE' } as never,
	);
	server.media.legacyOnly();
	const error = await t.throwsAsync(
		net.client.stream(name, { method: 'GET', path: '/_matrix/federation/v1/media/download/m1' }),
	);
	t.like(error, { status: 404, errcode: 'M_UNRECOGNIZED' });
});

test('a closed client refuses requests', async (t) => {
	const { server, net, name } = await setup(t);
	net.client.close();
	await t.throwsAsync(net.client.request(name, { method: 'GET', path: '/x' }), {
		code: 'ERR_FEDERATION_REQUEST',
	} as never);
	t.is(server.requests.length, 0);
});
