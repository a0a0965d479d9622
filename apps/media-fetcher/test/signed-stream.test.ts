// openSigned around the federation client: what a media download adds to client.stream (a headers deadline, an
// abort signal for the wait and for the body), with a client whose answers the test controls.
import { PassThrough } from 'node:stream';
import type { FederationClient, FederationStream } from '@homeserver/federation';
import test from 'ava';
import { isMediaFetcherError, openSigned } from '../src/index.js';

/** A client whose one answer the test delivers (or fails) when it wants; records what was asked. */
function controlledClient() {
	let deliver!: (answer: FederationStream) => void;
	let fail!: (error: Error) => void;
	const calls: { destination: string; options: Parameters<FederationClient['stream']>[1] }[] = [];
	const client: Pick<FederationClient, 'stream'> = {
		stream(destination, options) {
			calls.push({ destination, options });
			return new Promise((resolve, reject) => {
				deliver = resolve;
				fail = reject;
			});
		},
	};
	const answer = (): FederationStream => ({
		status: 200,
		headers: {},
		body: new PassThrough(),
		url: 'https://remote.test:8448/x',
		candidate: {} as FederationStream['candidate'],
	});
	return { client, calls, answer, deliver: (a: FederationStream) => deliver(a), fail: (e: Error) => fail(e) };
}

const closed = (stream: NodeJS.ReadableStream & { destroyed: boolean }) =>
	new Promise<boolean>((resolve) => setImmediate(() => resolve(stream.destroyed)));

test('the request is a signed GET with the size cap, and the answer comes back as it arrived', async (t) => {
	const remote = controlledClient();
	const pending = openSigned(remote.client, 'remote.test', '/p?timeout_ms=1', {
		maxBytes: 1234,
		headersTimeoutMs: 60_000,
	});
	const answer = remote.answer();
	remote.deliver(answer);
	t.is(await pending, answer);
	t.deepEqual(remote.calls, [
		{ destination: 'remote.test', options: { method: 'GET', path: '/p?timeout_ms=1', maxBytes: 1234 } },
	]);
});

test('no headers before the deadline is ERR_REMOTE_TIMEOUT, and an answer arriving later is discarded', async (t) => {
	const remote = controlledClient();
	const error = await t.throwsAsync(
		openSigned(remote.client, 'remote.test', '/p', { maxBytes: 1, headersTimeoutMs: 20 }),
	);
	t.true(isMediaFetcherError(error, 'ERR_REMOTE_TIMEOUT'), String(error));
	t.regex(error.message, /remote\.test sent no response headers within 20 ms/);
	const late = remote.answer();
	remote.deliver(late);
	t.true(await closed(late.body as PassThrough), 'the late body is destroyed');
});

test('an abort while waiting rejects with its reason; an abort after the headers destroys the body', async (t) => {
	const waiting = controlledClient();
	const stop = new AbortController();
	const pending = openSigned(waiting.client, 'remote.test', '/p', {
		maxBytes: 1,
		headersTimeoutMs: 60_000,
		signal: stop.signal,
	});
	stop.abort(new Error('deadline'));
	t.is((await t.throwsAsync(pending)).message, 'deadline');

	const reading = controlledClient();
	const later = new AbortController();
	const opened = openSigned(reading.client, 'remote.test', '/p', {
		maxBytes: 1,
		headersTimeoutMs: 60_000,
		signal: later.signal,
	});
	reading.deliver(reading.answer());
	const answer = await opened;
	const failure = new Promise<Error>((resolve) => answer.body.once('error', resolve));
	later.abort(new Error('deadline'));
	t.is((await failure).message, 'deadline');
	t.true(answer.body.destroyed);
});

test('the client’s own errors pass through unchanged', async (t) => {
	const remote = controlledClient();
	const pending = openSigned(remote.client, 'remote.test', '/p', { maxBytes: 1, headersTimeoutMs: 60_000 });
	const refused = Object.assign(new Error('blocked'), { code: 'ERR_IP_BLOCKED' });
	remote.fail(refused);
	t.is(await t.throwsAsync(pending), refused);
});

test('an already aborted signal sends nothing', async (t) => {
	const remote = controlledClient();
	const stop = new AbortController();
	stop.abort(new Error('gone'));
	await t.throwsAsync(
		openSigned(remote.client, 'remote.test', '/p', { maxBytes: 1, headersTimeoutMs: 1, signal: stop.signal }),
		{ message: 'gone' },
	);
	t.deepEqual(remote.calls, []);
});
