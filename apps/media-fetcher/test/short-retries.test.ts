// Synapse's short retries of a federation media download (max_short_retries, max_short_retry_delay): only
// network-level failures before an answer are retried, on federation's short schedule, never past the download's
// overall deadline. A scripted client stands for the federation client; the real one is in remote-retries.test.ts.
import { PassThrough, Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { DEFAULT_SHORT_RETRY_SCHEDULE, MatrixRemoteError } from '@homeserver/federation';
import type { FederationClient, FederationStream } from '@homeserver/federation';
import { FederationDeniedError, OutboundHttpError, RequestTimeoutError } from '@homeserver/outbound-http';
import test from 'ava';
import { pino } from 'pino';
import { mediaRef, type MediaFetcherError } from '../src/index.js';
import { createFederationMediaSource } from '../src/remote/federation-media-source.js';
import type { ShortRetryOptions } from '../src/remote/short-retries.js';
import { CONTENT_TYPE, synapseInline } from './helpers/multipart.js';

const REF = mediaRef('remote.test', 'abc');
const refused = (): Error => new OutboundHttpError('ERR_DESTINATION_UNREACHABLE', 'connection refused');

const inline = (body: Readable = Readable.from([synapseInline(Buffer.from('hello'))])): FederationStream => ({
	status: 200,
	headers: { 'content-type': CONTENT_TYPE },
	body,
	url: 'https://remote.test:8448/_matrix/federation/v1/media/download/abc',
	candidate: {} as FederationStream['candidate'],
});

/** A client that gives each call the next scripted outcome; the last one repeats. */
function scriptedClient(outcomes: readonly (FederationStream | Error)[]) {
	const paths: string[] = [];
	const client: Pick<FederationClient, 'stream'> = {
		stream(_destination, options) {
			const outcome = outcomes[Math.min(paths.length, outcomes.length - 1)] as FederationStream | Error;
			paths.push(options.path);
			return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
		},
	};
	return { client, paths };
}

/** Retries whose waits are recorded instead of slept, with the jitter at its lowest. */
function recordedRetries(schedule = DEFAULT_SHORT_RETRY_SCHEDULE) {
	const waits: number[] = [];
	const retries: ShortRetryOptions = {
		schedule,
		random: () => 0,
		sleep: (ms) => {
			waits.push(ms);
			return Promise.resolve();
		},
	};
	return { retries, waits };
}

function source(client: Pick<FederationClient, 'stream'>, retries?: ShortRetryOptions) {
	return createFederationMediaSource({
		client,
		http: { client: noLocation },
		logger: pino({ level: 'silent' }),
		...(retries === undefined ? {} : { retries }),
	});
}

function noLocation(): never {
	throw new Error('no Location in these tests');
}

test('a refused connection is retried max_short_retries times on the short schedule, and the media then comes', async (t) => {
	const { client, paths } = scriptedClient([refused(), refused(), inline()]);
	const { retries, waits } = recordedRetries();
	const media = await source(client, retries).fetch(REF, { maxBytes: 100 });
	t.is((await buffer(media.body)).toString(), 'hello');
	t.is(paths.length, 3);
	t.deepEqual(waits, [400, 800], '0.5 s then 1 s, × 0.8 (the lowest jitter)');
});

test('after max_short_retries the last network failure is the download’s error', async (t) => {
	const { client, paths } = scriptedClient([refused()]);
	const { retries, waits } = recordedRetries({
		...DEFAULT_SHORT_RETRY_SCHEDULE,
		maxRetries: 2,
		maxDelayMs: 700,
	});
	const error = await t.throwsAsync<MediaFetcherError>(source(client, retries).fetch(REF, { maxBytes: 100 }));
	t.is(error.code, 'ERR_REMOTE_FAILED');
	t.is(error.causeCode, 'ERR_DESTINATION_UNREACHABLE');
	t.is(paths.length, 3, 'one attempt and max_short_retries (2) retries');
	t.deepEqual(waits, [400, 560], 'the second wait capped by max_short_retry_delay (700 ms × 0.8)');
});

test('a timeout before the answer is retried; an answer, a refusal by the configuration or a too-large body is not', async (t) => {
	const timeout = new RequestTimeoutError('https://remote.test:8448/', 'connect', undefined);
	const timedOut = scriptedClient([timeout, inline()]);
	await source(timedOut.client, recordedRetries().retries).fetch(REF, { maxBytes: 100 });
	t.is(timedOut.paths.length, 2);

	const never: Error[] = [
		MatrixRemoteError.fromResponse(502, {}, '{"errcode":"M_UNKNOWN","error":"bad gateway"}'),
		new FederationDeniedError('remote.test'),
		new OutboundHttpError('ERR_IP_BLOCKED', 'blocked'),
		new OutboundHttpError('ERR_RESPONSE_TOO_LARGE', 'too large'),
		new RequestTimeoutError('https://remote.test:8448/', 'request', undefined),
	];
	for (const failure of never) {
		const { client, paths } = scriptedClient([failure, inline()]);
		const { retries, waits } = recordedRetries();
		await t.throwsAsync(source(client, retries).fetch(REF, { maxBytes: 100 }));
		t.is(paths.length, 1, `${(failure as { code?: string }).code ?? failure.name} is not retried`);
		t.deepEqual(waits, []);
	}
});

test('a body that fails after the answer came is not retried', async (t) => {
	const body = new PassThrough();
	body.write(synapseInline(Buffer.from('hel')).subarray(0, 80));
	const { client, paths } = scriptedClient([inline(body), inline()]);
	const media = source(client, recordedRetries().retries).fetch(REF, { maxBytes: 100 });
	body.destroy(new OutboundHttpError('ERR_REQUEST_FAILED', 'reset mid-body'));
	await t.throwsAsync(media);
	t.is(paths.length, 1);
});

test('a retry whose wait would not end before the download’s deadline is not made', async (t) => {
	const { client, paths } = scriptedClient([refused(), inline()]);
	const { retries, waits } = recordedRetries();
	const error = await t.throwsAsync<MediaFetcherError>(
		source(client, retries).fetch(REF, { maxBytes: 100, remainingMs: () => 399 }),
	);
	t.is(error.causeCode, 'ERR_DESTINATION_UNREACHABLE');
	t.is(paths.length, 1);
	t.deepEqual(waits, []);
});

test('an abort during the wait ends the download without another attempt', async (t) => {
	const { client, paths } = scriptedClient([refused(), inline()]);
	const abort = new AbortController();
	const retries: ShortRetryOptions = {
		schedule: DEFAULT_SHORT_RETRY_SCHEDULE,
		sleep: (_ms, signal) => {
			abort.abort();
			return Promise.reject(signal?.reason as Error);
		},
	};
	await t.throwsAsync(source(client, retries).fetch(REF, { maxBytes: 100, signal: abort.signal }));
	t.is(paths.length, 1);
});

test('without retries (the library default) a refused connection fails at once', async (t) => {
	const { client, paths } = scriptedClient([refused(), inline()]);
	await t.throwsAsync(source(client).fetch(REF, { maxBytes: 100 }));
	t.is(paths.length, 1);
});

test('the legacy endpoint is retried the same way', async (t) => {
	const unknown = MatrixRemoteError.fromResponse(404, {}, '{"errcode":"M_UNRECOGNIZED"}');
	const legacy: FederationStream = {
		...inline(Readable.from([Buffer.from('legacy')])),
		headers: { 'content-type': 'text/plain' },
	};
	const { client, paths } = scriptedClient([unknown, refused(), legacy]);
	const media = await source(client, recordedRetries().retries).fetch(REF, { maxBytes: 100 });
	t.is((await buffer(media.body)).toString(), 'legacy');
	t.is(paths.length, 3);
	t.regex(paths[2] ?? '', /^\/_matrix\/media\/v3\/download\//);
});
