// The real transport (federation client over outbound-http) against a loopback TLS destination, direct: what goes
// on the wire for a stored transaction, and how each kind of answer reaches the worker.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@homeserver/config';
import { generateSigningKey } from '@homeserver/federation';
import {
	closedPort,
	createCertificateAuthority,
	loopbackLookup,
	startHttpsServer,
	verifyXMatrix,
	type DestinationServer,
} from '@homeserver/testkit';
import test, { type ExecutionContext } from 'ava';
import { pino } from 'pino';
import { buildTransactionBody } from '../src/outbox/transaction-body.js';
import {
	createFederationTransport,
	type FederationTransport,
} from '../src/transport/federation-transport.js';
import { pdu } from './helpers/items.js';

const ORIGIN = 'origin.test';
const key = generateSigningKey('a_transport');

interface Received {
	readonly url: string;
	readonly authorization: string | undefined;
	readonly contentType: string | undefined;
	readonly raw: string;
}

type Answer = (request: IncomingMessage, response: ServerResponse) => void;

/** A TLS destination `remote.test` on loopback that records raw bodies and answers with the queued handlers. */
async function setup(t: ExecutionContext, answers: Answer[], extraYaml: readonly string[] = []) {
	const dir = await mkdtemp(join(tmpdir(), 'federation-sender-transport-'));
	t.teardown(() => rm(dir, { recursive: true, force: true }));
	const ca = await createCertificateAuthority();
	await writeFile(join(dir, 'ca.pem'), ca.certPem);
	await writeFile(join(dir, 'signing.key'), key.toKeyFileText(), { mode: 0o600 });
	const received: Received[] = [];
	const server: DestinationServer = await startHttpsServer(
		await ca.issue({ dnsNames: ['remote.test'] }),
		(request, response) => {
			const chunks: Buffer[] = [];
			request.on('data', (chunk: Buffer) => chunks.push(chunk));
			request.on('end', () => {
				received.push({
					url: request.url ?? '',
					authorization: request.headers.authorization,
					contentType: request.headers['content-type'],
					raw: Buffer.concat(chunks).toString('utf8'),
				});
				(answers.shift() ?? ok)(request, response);
			});
		},
	);
	t.teardown(() => server.close());
	const config = loadConfig({
		env: {},
		configPath: join(dir, 'homeserver.yaml'),
		yamlText: [
			`server_name: ${ORIGIN}`,
			'signing_key_path: signing.key',
			'federation_custom_ca_list: [ca.pem]',
			'ip_range_whitelist: ["127.0.0.1"]',
			...extraYaml,
		].join('\n'),
	});
	const transport = await createFederationTransport(config, pino({ level: 'silent' }), {
		lookup: loopbackLookup({ 'remote.test': '127.0.0.1' }),
		dns: { resolveSrv: () => Promise.reject(new Error('no SRV lookups in this test')) },
		outbound: { retryLimit: 0 },
	});
	t.teardown(() => transport.close());
	return { destination: `remote.test:${server.port}`, received, transport };
}

const json =
	(status: number, body: unknown, headers: Record<string, string> = {}): Answer =>
	(_request, response) => {
		response.writeHead(status, { 'content-type': 'application/json', ...headers });
		response.end(JSON.stringify(body));
	};
const ok = json(200, { pdus: {} });

function send(transport: FederationTransport, destination: string, txnId: string, body: string) {
	return transport.send(destination, txnId, body, { signal: new AbortController().signal });
}

const BODY = buildTransactionBody(ORIGIN, 1_700_000_000_000, [pdu(1).json, pdu(2).json], []);

test('every attempt of a txnId puts the stored bytes on the wire, signed for the destination', async (t) => {
	const { destination, received, transport } = await setup(t, [
		json(502, { errcode: 'M_UNKNOWN' }),
		json(200, { pdus: { $e1: {}, $e2: { error: 'nope' } } }),
	]);
	const first = await send(transport, destination, '1700000000000', BODY);
	const second = await send(transport, destination, '1700000000000', BODY);
	t.deepEqual(first, { status: 502, body: { errcode: 'M_UNKNOWN' }, retryAfterMs: undefined });
	t.deepEqual(second, { status: 200, body: { pdus: { $e1: {}, $e2: { error: 'nope' } } } });
	t.is(received.length, 2);
	for (const request of received) {
		t.is(request.raw, BODY, 'byte for byte the stored body');
		t.is(request.url, '/_matrix/federation/v1/send/1700000000000');
		t.is(request.contentType, 'application/json');
		const verified = verifyXMatrix(
			request.authorization,
			{ method: 'PUT', uri: request.url, destination, content: JSON.parse(request.raw) },
			{ [ORIGIN]: { keyId: key.keyId, publicKeyBase64: key.publicKeyBase64 } },
		);
		t.deepEqual(verified, { ok: true, origin: ORIGIN });
	}
});

test('a txnId with reserved characters is percent-encoded as Synapse does, and signed as sent', async (t) => {
	const { destination, received, transport } = await setup(t, []);
	t.like(await send(transport, destination, "a b/c!'()*", BODY), { status: 200 });
	t.is(received[0]?.url, '/_matrix/federation/v1/send/a%20b%2Fc%21%27%28%29%2A');
});

test('error answers become results with the Matrix error and the wait the remote asked for', async (t) => {
	const { destination, transport } = await setup(t, [
		json(429, { errcode: 'M_LIMIT_EXCEEDED', error: 'slow down', retry_after_ms: 1500 }),
		json(429, { errcode: 'M_LIMIT_EXCEEDED' }, { 'retry-after': '7' }),
		json(403, { errcode: 'M_FORBIDDEN', error: 'not\nallowed' }),
		(_request, response) => response.writeHead(500, { 'content-type': 'text/html' }).end('<h1>oops</h1>'),
	]);
	t.deepEqual(await send(transport, destination, '1', BODY), {
		status: 429,
		body: { errcode: 'M_LIMIT_EXCEEDED', error: 'slow down' },
		retryAfterMs: 1500,
	});
	t.like(await send(transport, destination, '1', BODY), { status: 429, retryAfterMs: 7000 });
	t.deepEqual(await send(transport, destination, '2', BODY), {
		status: 403,
		body: { errcode: 'M_FORBIDDEN', error: 'not allowed' },
		retryAfterMs: undefined,
	});
	t.deepEqual(await send(transport, destination, '3', BODY), {
		status: 500,
		body: {},
		retryAfterMs: undefined,
	});
});

test('no answer at all is thrown with the outbound code, for the worker to retry', async (t) => {
	const { transport } = await setup(t, []);
	const refusing = await closedPort();
	const error = await t.throwsAsync(send(transport, `remote.test:${refusing}`, '1', BODY));
	t.is((error as unknown as { code: string }).code, 'ERR_DESTINATION_UNREACHABLE');
});

test('federation.client_timeout is the deadline of one send attempt', async (t) => {
	let held!: ServerResponse;
	const { destination, transport } = await setup(
		t,
		[(_request, response) => (held = response)],
		['federation: {client_timeout: 300}'],
	);
	t.teardown(() => held?.destroy());
	const error = await t.throwsAsync(send(transport, destination, '1', BODY));
	t.is((error as unknown as { code: string }).code, 'ERR_TIMEOUT');
});

test('shutdown cancels a request the destination holds open (its connection closes); the transport then closes', async (t) => {
	let arrived!: () => void;
	const arrival = new Promise<void>((resolve) => (arrived = resolve));
	let closedByUs!: () => void;
	const connectionClosed = new Promise<void>((resolve) => (closedByUs = resolve));
	const { destination, transport } = await setup(t, [
		(_request, response) => {
			response.once('close', () => closedByUs());
			arrived();
		},
	]);
	const controller = new AbortController();
	const pending = transport.send(destination, '1', BODY, { signal: controller.signal });
	await arrival;
	const reason = new Error('shutdown grace period over');
	controller.abort(reason);
	const error = await t.throwsAsync(pending);
	t.is((error as unknown as { code: string }).code, 'ERR_ABORTED');
	t.is(error.cause, reason);
	await connectionClosed;
	await transport.close();
	const late = await t.throwsAsync(send(transport, destination, '2', BODY));
	t.is((late as unknown as { code: string }).code, 'ERR_FEDERATION_REQUEST', 'a closed client refuses');
});

test('without a usable signing key the transport is refused with federation’s code: MISSING naming signing_key_path, INVALID naming the file', async (t) => {
	const dir = await mkdtemp(join(tmpdir(), 'federation-sender-key-'));
	t.teardown(() => rm(dir, { recursive: true, force: true }));
	const logger = pino({ level: 'silent' });
	const unset = loadConfig({ env: {}, yamlText: `server_name: ${ORIGIN}` });
	const missing = loadConfig({
		env: {},
		configPath: join(dir, 'homeserver.yaml'),
		yamlText: [`server_name: ${ORIGIN}`, 'signing_key_path: nowhere.key'].join('\n'),
	});
	const notSet = await t.throwsAsync(createFederationTransport(unset, logger));
	t.like(notSet, { code: 'ERR_SIGNING_KEY_MISSING' });
	t.regex(notSet.message, /^signing_key_path is not set/);
	const unreadable = await t.throwsAsync(createFederationTransport(missing, logger));
	t.like(unreadable, { code: 'ERR_SIGNING_KEY_MISSING' });
	t.is(unreadable.message, `signing_key_path ${join(dir, 'nowhere.key')} cannot be read (ENOENT)`);
	await writeFile(join(dir, 'bad.key'), 'ed25519 a_bcd not-base64!\n');
	const malformed = loadConfig({
		env: {},
		configPath: join(dir, 'homeserver.yaml'),
		yamlText: [`server_name: ${ORIGIN}`, 'signing_key_path: bad.key'].join('\n'),
	});
	const invalid = await t.throwsAsync(createFederationTransport(malformed, logger));
	t.like(invalid, { code: 'ERR_SIGNING_KEY_INVALID' });
	t.true(invalid.message.startsWith(`signing key file ${join(dir, 'bad.key')} line 1: `));
});
