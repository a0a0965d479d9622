import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import {
	createCertificateAuthority,
	generatedBytes,
	independentCanonicalJson,
	startRemoteHomeserver,
} from '../src/index.js';
import type { RemoteHomeserver, RemoteHomeserverOptions, TlsMaterial } from '../src/index.js';
import { connectOutcome } from './helpers/clients.js';

// The spec-derived X-Matrix vector of reference matrix-federation.md 2.7 (seed of the spec's appendix, origin
// "domain", key ed25519:1, destination remote.example): produced with Node and Python, not with this verifier.
const SPEC_PUBLIC_KEY = 'XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI';
const SPEC_BODY = '{"origin":"domain","origin_server_ts":1700000000000,"pdus":[]}';
const SPEC_HEADER =
	'X-Matrix origin="domain",destination="remote.example",key="ed25519:1",' +
	'sig="xlbSI5zw4CYonpM3BvCNPWPXpIKIDbI3Rn8hIBaUYzuAlkcAlx0+nsfgUEi6XfCv0EoXfJzzMiFfEsKAHOXUAA"';
const SPEC_GET_HEADER =
	'X-Matrix origin="domain",destination="remote.example",key="ed25519:1",' +
	'sig="gDX5ZJVx6CaT6fizimdPpIQUF5P8O8G7iXfISr2Lj2z6D3j3F0jTtthA02bTj+OH3C0fU/l3Aqle5KBqrmCuDA"';

let tls: Promise<{ ca: string; server: TlsMaterial }> | undefined;
function pki(): Promise<{ ca: string; server: TlsMaterial }> {
	tls ??= (async () => {
		const ca = await createCertificateAuthority();
		return { ca: ca.certPem, server: await ca.issue({ dnsNames: ['remote.example'] }) };
	})();
	return tls;
}

interface Answer {
	readonly status: number;
	readonly headers: IncomingHttpHeaders;
	readonly body: Buffer;
}

async function send(
	server: RemoteHomeserver,
	method: string,
	path: string,
	options: { body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
	const { ca } = await pki();
	return new Promise((resolve, reject) => {
		const client = request(`${server.url}${path}`, {
			method,
			ca,
			servername: 'remote.example',
			headers: options.headers,
		});
		client.on('error', reject);
		client.on('response', (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () =>
				resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
			);
		});
		client.end(options.body);
	});
}

async function remote(
	t: ExecutionContext,
	options: Partial<RemoteHomeserverOptions> = {},
): Promise<RemoteHomeserver> {
	const { server: material } = await pki();
	const server = await startRemoteHomeserver({
		serverName: 'remote.example',
		tls: material,
		keys: { domain: { keyId: 'ed25519:1', publicKeyBase64: SPEC_PUBLIC_KEY } },
		...options,
	});
	t.teardown(() => server.close());
	return server;
}

const json = (answer: Answer): unknown => JSON.parse(answer.body.toString('utf8'));

function sendSpecVector(server: RemoteHomeserver, body = SPEC_BODY): Promise<Answer> {
	return send(server, 'PUT', '/_matrix/federation/v1/send/1700000000000', {
		body,
		headers: { authorization: SPEC_HEADER, 'content-type': 'application/json' },
	});
}

/** A signer of our own (another key), for requests the spec vectors do not cover. */
function signer(
	origin: string,
	destination = 'remote.example',
): { key: { keyId: string; publicKeyBase64: string }; header: Signer } {
	const { privateKey, publicKey } = generateKeyPairSync('ed25519');
	const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
	return {
		key: { keyId: 'ed25519:t1', publicKeyBase64: raw.toString('base64').replace(/=+$/, '') },
		header: (method, uri, content) => xMatrix(privateKey, origin, destination, method, uri, content),
	};
}
type Signer = (method: string, uri: string, content?: unknown) => string;

function xMatrix(
	key: KeyObject,
	origin: string,
	destination: string,
	method: string,
	uri: string,
	content?: unknown,
): string {
	const signed: Record<string, unknown> = { method, uri, origin, destination };
	if (content !== undefined) signed['content'] = content;
	const sig = sign(null, Buffer.from(independentCanonicalJson(signed)), key)
		.toString('base64')
		.replace(/=+$/, '');
	return `X-Matrix origin="${origin}",destination="${destination}",key="ed25519:t1",sig="${sig}"`;
}

test('the spec-derived signed transaction is accepted once; a repeat gets the same answer and is not applied', async (t) => {
	const server = await remote(t);
	const first = await sendSpecVector(server);
	t.is(first.status, 200);
	t.deepEqual(json(first), { pdus: {} });
	const again = await sendSpecVector(server);
	t.is(again.status, 200);
	t.deepEqual(json(again), { pdus: {} });
	t.is(server.transactions.length, 1);
	t.like(server.transactions[0], { origin: 'domain', txnId: '1700000000000', originServerTs: 1700000000000 });
	t.is(server.duplicates, 1);
	t.like(server.requests[0], {
		authorization: 'valid',
		origin: 'domain',
		status: 200,
		servername: 'remote.example',
	});
});

test('a body that differs from what was signed, a missing header and an unknown key are refused with 401', async (t) => {
	const server = await remote(t);
	const tampered = await sendSpecVector(server, SPEC_BODY.replace('1700000000000', '1700000000001'));
	t.is(tampered.status, 401);
	t.like(json(tampered), { errcode: 'M_UNAUTHORIZED' });
	const unsigned = await send(
		server,
		'GET',
		'/_matrix/federation/v1/media/download/abcDEF123?timeout_ms=20000',
	);
	t.is(unsigned.status, 401);
	const wrongDestination = await send(server, 'GET', '/_matrix/federation/v1/media/download/abcDEF123', {
		headers: { authorization: SPEC_GET_HEADER.replace('remote.example', 'other.example') },
	});
	t.is(wrongDestination.status, 401);
	const unknownKey = await send(
		server,
		'GET',
		'/_matrix/federation/v1/media/download/abcDEF123?timeout_ms=20000',
		{
			headers: { authorization: SPEC_GET_HEADER.replace('ed25519:1', 'ed25519:2') },
		},
	);
	t.is(unknownKey.status, 401);
	t.is(server.transactions.length, 0);
	t.deepEqual(
		server.requests.map((entry) => entry.authorization),
		['invalid', 'invalid', 'invalid', 'invalid'],
	);
});

test('the spec-derived signed GET with a query verifies (the signature covers the query)', async (t) => {
	const server = await remote(t);
	server.media.add('abcDEF123', { bytes: 'hello', contentType: 'text/plain' });
	const ok = await send(server, 'GET', '/_matrix/federation/v1/media/download/abcDEF123?timeout_ms=20000', {
		headers: { authorization: SPEC_GET_HEADER },
	});
	t.is(ok.status, 200);
	const otherQuery = await send(
		server,
		'GET',
		'/_matrix/federation/v1/media/download/abcDEF123?timeout_ms=1',
		{
			headers: { authorization: SPEC_GET_HEADER },
		},
	);
	t.is(otherQuery.status, 401);
});

test('a PDU is reported under its event id, and a JSON body without Content-Type is refused', async (t) => {
	const { key, header } = signer('sender.test');
	const server = await remote(t, { keys: { 'sender.test': key } });
	const body = {
		origin: 'sender.test',
		origin_server_ts: 1,
		pdus: [{ event_id: '$a', type: 'm.room.message' }],
		edus: [{ edu_type: 'm.typing', content: {} }],
	};
	const uri = '/_matrix/federation/v1/send/t%201';
	const noType = await send(server, 'PUT', uri, {
		body: JSON.stringify(body),
		headers: { authorization: header('PUT', uri, body) },
	});
	t.is(noType.status, 400);
	t.like(json(noType), { errcode: 'M_NOT_JSON' });
	const answer = await send(server, 'PUT', uri, {
		body: JSON.stringify(body),
		headers: { authorization: header('PUT', uri, body), 'content-type': 'application/json' },
	});
	t.deepEqual(json(answer), { pdus: { $a: {} } });
	t.is(server.transactions[0]?.txnId, 't 1');
	t.deepEqual(server.pdus('sender.test'), body.pdus);
	t.deepEqual(server.edus(), body.edus);
});

test('queued behaviours apply in order to the next signed requests: failure, 429 with retry_after_ms, then normal', async (t) => {
	const server = await remote(t);
	server.failNext(1, 503);
	server.answer429(1500);
	t.is((await sendSpecVector(server)).status, 503);
	const limited = await sendSpecVector(server);
	t.is(limited.status, 429);
	t.like(json(limited), { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 1500 });
	t.is(server.transactions.length, 0);
	t.is((await sendSpecVector(server)).status, 200);
	t.is(server.transactions.length, 1);
	t.is(server.duplicates, 0);
});

test('a request stalled forever gets no answer until release()', async (t) => {
	const server = await remote(t);
	server.stall('forever');
	let answered = false;
	const pending = sendSpecVector(server).then((answer) => {
		answered = true;
		return answer;
	});
	while (server.stalled === 0) await new Promise((resolve) => setImmediate(resolve));
	t.false(answered);
	t.is(server.requests[0]?.status, undefined);
	server.release();
	t.is((await pending).status, 200);
});

function mediaGet(server: RemoteHomeserver, mediaId: string): Promise<Answer> {
	const { header } = signerFor(server);
	const uri = `/_matrix/federation/v1/media/download/${mediaId}`;
	return send(server, 'GET', uri, { headers: { authorization: header('GET', uri) } });
}

const signers = new WeakMap<RemoteHomeserver, ReturnType<typeof signer>>();
function signerFor(server: RemoteHomeserver): ReturnType<typeof signer> {
	let found = signers.get(server);
	if (found === undefined) {
		found = signer('media.test');
		server.trust('media.test', found.key);
		signers.set(server, found);
	}
	return found;
}

test("inline media is served in Synapse's exact multipart layout, with its Content-Length formula", async (t) => {
	const server = await remote(t);
	const boundary = '6067d4698f8d40a0a794ea7d7379d53a';
	server.media.add('pic', {
		bytes: 'Hello world!',
		contentType: 'text/plain',
		fileName: 'hello.txt',
		boundary,
	});
	const answer = await mediaGet(server, 'pic');
	t.is(answer.status, 200);
	t.is(answer.headers['content-type'], `multipart/mixed; boundary=${boundary}`);
	const expected =
		`\r\n--${boundary}\r\nContent-Type: application/json\r\n\r\n{}\r\n--${boundary}\r\n` +
		'Content-Type: text/plain\r\nContent-Disposition: inline; filename=hello.txt\r\n\r\n' +
		`Hello world!\r\n--${boundary}--\r\n`;
	t.is(answer.body.toString('latin1'), expected);
	// Synapse: file length + JSON + Content-Type header + Content-Disposition header + 156.
	const synapseLength =
		12 +
		2 +
		'Content-Type: text/plain'.length +
		'Content-Disposition: inline; filename=hello.txt'.length +
		156;
	t.is(answer.headers['content-length'], String(synapseLength));
	t.is(server.media.downloads('pic'), 1);
});

test('a Location answer, a legacy-only server and a large generated file streamed on the legacy endpoint', async (t) => {
	const server = await remote(t);
	server.media.addRedirect('far', 'https://cdn.test/ab/c1/2345.txt');
	const redirect = await mediaGet(server, 'far');
	const boundary = /boundary=(\w+)$/.exec(String(redirect.headers['content-type']))?.[1] ?? '';
	t.regex(boundary, /^[0-9a-f]{32}$/);
	t.is(
		redirect.body.toString('latin1'),
		`\r\n--${boundary}\r\nContent-Type: application/json\r\n\r\n{}\r\n--${boundary}\r\n` +
			`Location: https://cdn.test/ab/c1/2345.txt\r\n\r\n\r\n--${boundary}--\r\n`,
	);
	const size = 3 * 1024 * 1024 + 17;
	server.media.add('big', { size, contentType: 'application/pdf', fileName: 'é.pdf' });
	server.media.legacyOnly();
	const refused = await mediaGet(server, 'big');
	t.is(refused.status, 404);
	t.like(json(refused), { errcode: 'M_UNRECOGNIZED' });
	const legacy = await send(
		server,
		'GET',
		'/_matrix/media/v3/download/remote.example/big?allow_remote=false',
	);
	t.is(legacy.status, 200);
	t.is(legacy.headers['content-length'], String(size));
	t.is(legacy.headers['content-disposition'], "attachment; filename*=utf-8''%C3%A9.pdf");
	const digest = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
	t.is(digest(legacy.body), digest(generatedBytes(0, size)));
	t.is(server.requests.at(-1)?.url, '/_matrix/media/v3/download/remote.example/big?allow_remote=false');
});

test('.well-known/matrix/server is served only when delegation is set', async (t) => {
	const server = await remote(t, { wellKnown: { 'm.server': 'target.example:8448' } });
	const answer = await send(server, 'GET', '/.well-known/matrix/server');
	t.deepEqual(json(answer), { 'm.server': 'target.example:8448' });
	server.setWellKnown(undefined);
	t.is((await send(server, 'GET', '/.well-known/matrix/server')).status, 404);
});

test('a server name computed from the bound port is the destination it verifies requests against', async (t) => {
	const server = await remote(t, { serverName: (port) => `remote.example:${port}` });
	t.is(server.serverName, `remote.example:${server.port}`);
	const body = { origin: 'sender.test', origin_server_ts: 1, pdus: [] };
	const put = async (destination: string, txnId: string): Promise<Answer> => {
		const { key, header } = signer('sender.test', destination);
		server.trust('sender.test', key);
		const uri = `/_matrix/federation/v1/send/${txnId}`;
		return send(server, 'PUT', uri, {
			body: JSON.stringify(body),
			headers: { authorization: header('PUT', uri, body), 'content-type': 'application/json' },
		});
	};
	t.is((await put(`remote.example:${server.port}`, 'with-port')).status, 200);
	t.is((await put('remote.example', 'without-port')).status, 401);
	t.deepEqual(
		server.transactions.map((txn) => txn.txnId),
		['with-port'],
	);
});

test('a computed server name that is invalid fails the start and frees the port', async (t) => {
	const { server: material } = await pki();
	let bound = 0;
	const starting = startRemoteHomeserver({
		serverName: (port) => {
			bound = port;
			return `bad name:${port}`;
		},
		tls: material,
		keys: {},
	});
	await t.throwsAsync(starting, { code: 'ERR_TESTKIT_INVALID_OPTION' });
	t.not(bound, 0);
	t.is(await connectOutcome('127.0.0.1', bound), 'ECONNREFUSED');
});
