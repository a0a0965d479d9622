// openSigned: what a media download gives the federation client's stream (a signed GET, the size cap, the headers
// deadline as responseTimeout, the download's signal), with a client that records what it was asked. The
// behaviour behind those options is tested with the real client in remote-loopback.test.ts.
import { PassThrough } from 'node:stream';
import type { FederationClient, FederationStream } from '@homeserver/federation';
import test from 'ava';
import { openSigned } from '../src/remote/signed-stream.js';

/** A client answering with `outcome`; records what was asked. */
function recordingClient(outcome: FederationStream | Error) {
	const calls: { destination: string; options: Parameters<FederationClient['stream']>[1] }[] = [];
	const client: Pick<FederationClient, 'stream'> = {
		stream(destination, options) {
			calls.push({ destination, options });
			return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
		},
	};
	return { client, calls };
}

const answer = (): FederationStream => ({
	status: 200,
	headers: {},
	body: new PassThrough(),
	url: 'https://remote.test:8448/x',
	candidate: {} as FederationStream['candidate'],
});

test('the request is a signed GET with the size cap, the headers deadline, the minimum body rate and the signal; the answer comes back as it arrived', async (t) => {
	const given = answer();
	const remote = recordingClient(given);
	const stop = new AbortController();
	const opened = await openSigned(remote.client, 'remote.test', '/p?timeout_ms=1', {
		maxBytes: 1234,
		headersTimeoutMs: 16_000,
		signal: stop.signal,
		bodyRate: { minBytesPerSecond: 64, windowMs: 1000 },
	});
	t.is(opened, given);
	t.deepEqual(remote.calls, [
		{
			destination: 'remote.test',
			options: {
				method: 'GET',
				path: '/p?timeout_ms=1',
				maxBytes: 1234,
				responseTimeout: 16_000,
				signal: stop.signal,
				bodyRate: { minBytesPerSecond: 64, windowMs: 1000 },
			},
		},
	]);
});

test('the client’s own errors pass through unchanged', async (t) => {
	const refused = Object.assign(new Error('blocked'), { code: 'ERR_IP_BLOCKED' });
	const remote = recordingClient(refused);
	t.is(
		await t.throwsAsync(openSigned(remote.client, 'remote.test', '/p', { maxBytes: 1, headersTimeoutMs: 1 })),
		refused,
	);
});
