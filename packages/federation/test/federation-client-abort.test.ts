// Aborting federation requests and the response-headers deadline of streams, against the loopback remote
// homeserver: what the caller gets (ERR_ABORTED with the reason, ERR_TIMEOUT) and what the remote sees (the
// connection closed, nothing sent at all).
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { RemoteHomeserver } from '@homeserver/testkit';
import { createFederationClient, FederationAbortedError } from '../src/index.js';
import type { ServerResolver } from '../src/index.js';
import { configFor, federationClient, remoteServer, testPki } from './helpers/federation-net.js';
import type { TestClient } from './helpers/federation-net.js';

async function setup(
	t: ExecutionContext,
	options: Parameters<typeof federationClient>[2] = {},
): Promise<{ server: RemoteHomeserver; net: TestClient; name: string }> {
	const server = await remoteServer(t);
	const name = `testserv:${server.port}`;
	server.setServerName(name);
	return { server, name, net: await federationClient(t, await configFor(), options) };
}

/** Under `/_matrix/`, where the remote's stall behaviour applies. */
const HELD = '/_matrix/federation/v1/query/held';

/** Waits (polling, bounded by the test's timeout) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
	while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

test('an abort while the remote holds a request rejects with ERR_ABORTED, the reason on cause, and closes the connection', async (t) => {
	const { server, net, name } = await setup(t);
	server.stall('forever');
	const stop = new AbortController();
	const pending = net.client.request(name, {
		method: 'PUT',
		path: '/_matrix/federation/v1/send/1',
		body: { pdus: [] },
		signal: stop.signal,
	});
	await until(() => server.stalled === 1);
	const reason = new Error('shutdown grace period over');
	stop.abort(reason);
	const error = await t.throwsAsync(pending, { instanceOf: FederationAbortedError });
	t.is(error.code, 'ERR_ABORTED');
	t.is(error.cause, reason);
	t.regex(error.message, /testserv.*aborted: shutdown grace period over/);
	await until(() => server.stalled === 0);
	t.is(server.requests.length, 1, 'the remote saw the request once, then its connection close');
});

test('stream(): an abort before the headers rejects with ERR_ABORTED; after them it destroys the body', async (t) => {
	const { server, net, name } = await setup(t);
	server.stall('forever');
	const early = new AbortController();
	const waiting = net.client.stream(name, { method: 'GET', path: HELD, signal: early.signal });
	await until(() => server.stalled === 1);
	early.abort(new Error('deadline'));
	const error = await t.throwsAsync(waiting, { instanceOf: FederationAbortedError });
	t.regex(error.message, /aborted: deadline$/);
	await until(() => server.stalled === 0);

	server.media.add('slow', { size: 200_000, stallAfterBytes: 1000 });
	const late = new AbortController();
	const answer = await net.client.stream(name, {
		method: 'GET',
		path: '/_matrix/federation/v1/media/download/slow',
		signal: late.signal,
	});
	t.is(answer.status, 200);
	const failure = new Promise<Error>((resolve) => answer.body.once('error', resolve));
	answer.body.resume();
	late.abort(new Error('too slow'));
	const destroyed = await failure;
	t.is((destroyed as { code?: string }).code, 'ERR_ABORTED');
	t.true(destroyed.cause instanceof FederationAbortedError);
	t.true(answer.body.destroyed);
});

test('an already aborted signal sends nothing', async (t) => {
	const { server, net, name } = await setup(t);
	const stop = new AbortController();
	stop.abort(new Error('gone'));
	await t.throwsAsync(net.client.request(name, { method: 'GET', path: '/x', signal: stop.signal }), {
		instanceOf: FederationAbortedError,
	});
	await t.throwsAsync(net.client.stream(name, { method: 'GET', path: '/x', signal: stop.signal }), {
		instanceOf: FederationAbortedError,
	});
	t.is(server.requests.length, 0);
});

test('an abort during the server-name resolution rejects without waiting for it', async (t) => {
	const { net } = await setup(t);
	let resolutions = 0;
	const stuck: ServerResolver = {
		resolve: () => {
			resolutions++;
			return new Promise(() => undefined);
		},
		needsWellKnown: () => true,
		clearCache: () => undefined,
	};
	const client = createFederationClient({
		config: net.outbound.config,
		outbound: net.outbound,
		signingKey: (await testPki()).key,
		resolver: stuck,
	});
	const stop = new AbortController();
	const pending = client.request('testserv', { method: 'GET', path: '/x', signal: stop.signal });
	await until(() => resolutions === 1);
	stop.abort(new Error('bye'));
	t.like(await t.throwsAsync(pending), { code: 'ERR_ABORTED' } as never);
});

test('stream(): no response headers within responseTimeout is ERR_TIMEOUT (response phase), and the connection is closed', async (t) => {
	const { server, net, name } = await setup(t);
	server.stall('forever');
	const error = await t.throwsAsync(
		net.client.stream(name, { method: 'GET', path: HELD, responseTimeout: 100 }),
	);
	t.like(error, { code: 'ERR_TIMEOUT', phase: 'response' } as never);
	await until(() => server.stalled === 0);
	t.is(server.requests.length, 1, 'not retried on another candidate');
});

test('stream(): responseTimeout replaces the outbound stack’s response deadline for that request', async (t) => {
	const { server, net, name } = await setup(t, { timeouts: { response: 50 } });
	server.handle('GET', HELD, () => ({ body: { ok: true } }));
	server.stall(400);
	await t.throwsAsync(net.client.stream(name, { method: 'GET', path: HELD }), {
		code: 'ERR_TIMEOUT',
	} as never);
	server.stall(400);
	const answer = await net.client.stream(name, { method: 'GET', path: HELD, responseTimeout: 30_000 });
	t.is(answer.status, 200);
	answer.body.destroy();
});
