// The limits of `media-fetcher serve` as a client sees them: the wait queue, the per-requester download limit and
// the back-off of slow servers answer a Matrix error with Retry-After; invalid server names are the client's
// error; file names lose their bidi controls.
import { PassThrough, Readable } from 'node:stream';
import test, { type ExecutionContext } from 'ava';
import { MediaFetcherError, type RemoteMedia, type RemoteMediaSource } from '../src/index.js';
import { MediaService, type MediaServiceOptions } from '../src/media-service.js';
import { createMediaHandler } from '../src/serve/media-handler.js';
import { closeServer, listen, portOf } from '../src/serve/servers.js';
import { silentLogger, tempStore } from './helpers/store.js';

type Answer = (mediaId: string, signal: AbortSignal | undefined) => Promise<RemoteMedia>;

async function serve(
	t: ExecutionContext,
	answer: Answer,
	options: Partial<MediaServiceOptions> = {},
): Promise<{ base: string; service: MediaService; asked: string[] }> {
	const { store } = await tempStore(t);
	const asked: string[] = [];
	const source: RemoteMediaSource = {
		fetch(ref, fetchOptions) {
			asked.push(`${ref.serverName}/${ref.mediaId}`);
			return answer(ref.mediaId, fetchOptions.signal);
		},
	};
	const service = new MediaService({ store, source, maxBytes: 10_000, logger: silentLogger, ...options });
	const server = await listen(createMediaHandler({ service, logger: silentLogger }), {
		bindAddress: '127.0.0.1',
		port: 0,
	});
	t.teardown(() => closeServer(server));
	return { base: `http://127.0.0.1:${portOf(server)}/_matrix/client/v1/media/download`, service, asked };
}

function media(body: string, disposition: string | null = null): RemoteMedia {
	return {
		contentType: 'text/plain',
		contentDisposition: disposition,
		contentLength: null,
		body: Readable.from([Buffer.from(body)]),
	};
}

/** A remote answer that never comes, until the download's signal aborts. */
function never(_id: string, signal: AbortSignal | undefined): Promise<RemoteMedia> {
	return new Promise((_resolve, reject) =>
		signal?.addEventListener('abort', () => reject(new Error('aborted'))),
	);
}

test('a full wait queue answers 503 M_LIMIT_EXCEEDED with Retry-After, without asking the remote', async (t) => {
	const { base, service, asked } = await serve(t, never, {
		maxConcurrentDownloads: 1,
		maxWaiting: 0,
		maxDownloadMs: 20_000,
	});
	const holding = new AbortController();
	const first = fetch(`${base}/one.example/a`, { signal: holding.signal }).catch(() => undefined);
	while (service.slots.active === 0) await new Promise((resolve) => setTimeout(resolve, 20));
	const response = await fetch(`${base}/two.example/b`);
	const body = (await response.json()) as { errcode: string; retry_after_ms: number };
	t.is(response.status, 503);
	t.is(body.errcode, 'M_LIMIT_EXCEEDED');
	t.true(body.retry_after_ms > 0);
	t.regex(response.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
	t.deepEqual(asked, ['one.example/a']);
	holding.abort();
	await first;
});

test('a wait for a slot longer than the queue timeout answers 503 with Retry-After', async (t) => {
	const { base, service } = await serve(t, never, {
		maxConcurrentDownloads: 1,
		waitTimeoutMs: 200,
		maxDownloadMs: 20_000,
	});
	const holding = new AbortController();
	const first = fetch(`${base}/one.example/a`, { signal: holding.signal }).catch(() => undefined);
	while (service.slots.active === 0) await new Promise((resolve) => setTimeout(resolve, 20));
	const response = await fetch(`${base}/two.example/b`);
	t.is(response.status, 503);
	t.is(((await response.json()) as { errcode: string }).errcode, 'M_LIMIT_EXCEEDED');
	t.truthy(response.headers.get('retry-after'));
	t.deepEqual(service.slots, { active: 1, waiting: 0 }, 'the timed-out request left the queue');
	holding.abort();
	await first;
});

test("a requester over Synapse's download bucket gets 429 M_LIMIT_EXCEEDED with Retry-After", async (t) => {
	// A 1 MiB + 100 B bucket: after 200 bytes, the 1 MiB a download needs to start is not free any more.
	const { base, asked } = await serve(t, (id) => Promise.resolve(media('x'.repeat(200) + id)), {
		requesterLimit: { burstBytes: 1024 * 1024 + 100, bytesPerSecond: 10 },
	});
	t.is((await fetch(`${base}/remote.example/a`)).status, 200);
	const limited = await fetch(`${base}/remote.example/b`);
	const body = (await limited.json()) as { errcode: string; retry_after_ms: number };
	t.is(limited.status, 429);
	t.is(body.errcode, 'M_LIMIT_EXCEEDED');
	t.true(body.retry_after_ms >= 1000);
	t.regex(limited.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
	// Stored media is served without counting against the bucket.
	t.is((await fetch(`${base}/remote.example/a`)).status, 200);
	t.deepEqual(asked, ['remote.example/a']);
});

test('a server whose download was too slow is refused at once (503, Retry-After) for the back-off time', async (t) => {
	const { base, asked } = await serve(t, () =>
		Promise.reject(new MediaFetcherError('ERR_REMOTE_TOO_SLOW', 'The remote sent 3 bytes in 1000 ms')),
	);
	const slow = await fetch(`${base}/slow.example/a`);
	t.is(slow.status, 502);
	t.is(((await slow.json()) as { error: string }).error, 'Failed to fetch remote media');
	const again = await fetch(`${base}/slow.example/b`);
	t.is(again.status, 503);
	t.regex(again.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
	await again.arrayBuffer();
	t.is((await fetch(`${base}/other.example/c`)).status, 502, 'other servers are still asked');
	t.deepEqual(asked, ['slow.example/a', 'other.example/c']);
});

test('server names the federation client would refuse are 400 M_INVALID_PARAM, not 502', async (t) => {
	const { base, asked } = await serve(t, () => Promise.resolve(media('never')));
	for (const name of ['a..b', '999.1.1.1', '[1:2:3]', 'example.', 'x.example:0']) {
		const response = await fetch(`${base}/${encodeURIComponent(name)}/abc`);
		t.is(response.status, 400, name);
		t.is(((await response.json()) as { errcode: string }).errcode, 'M_INVALID_PARAM', name);
	}
	t.deepEqual(asked, []);
});

test('served file names lose bidi control characters, from the remote and from the path', async (t) => {
	const spoof = 'invoice\u202Efdp.exe\u2066\u200F\u061C';
	const { base } = await serve(t, () =>
		Promise.resolve(media('hello', `attachment; filename*=UTF-8''${encodeURIComponent(spoof)}`)),
	);
	const fromRemote = await fetch(`${base}/remote.example/a`);
	await fromRemote.arrayBuffer();
	const header = decodeURIComponent(fromRemote.headers.get('content-disposition') ?? '');
	t.true(header.includes('invoicefdp.exe'), header);
	t.false(/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/.test(header), header);
	const fromPath = await fetch(`${base}/remote.example/a/${encodeURIComponent('\u202Dname\u202C.txt')}`);
	await fromPath.arrayBuffer();
	t.true(decodeURIComponent(fromPath.headers.get('content-disposition') ?? '').includes('name.txt'));
	t.false(/[\u202a-\u202e]/.test(decodeURIComponent(fromPath.headers.get('content-disposition') ?? '')));
});

test('a client that hangs up cancels a download nobody else waits for', async (t) => {
	let aborted = false;
	const body = new PassThrough();
	const { base, service } = await serve(t, (_id, signal) => {
		signal?.addEventListener('abort', () => (aborted = true));
		return Promise.resolve({ contentType: null, contentDisposition: null, contentLength: null, body });
	});
	const client = new AbortController();
	const request = fetch(`${base}/remote.example/a`, { signal: client.signal }).catch(() => undefined);
	while (service.slots.active === 0) await new Promise((resolve) => setTimeout(resolve, 20));
	client.abort();
	await request;
	for (let polls = 0; polls < 100 && service.slots.active > 0; polls++) {
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	t.true(aborted);
	t.true(body.destroyed);
	t.deepEqual(service.slots, { active: 0, waiting: 0 });
	t.is(service.backedOffServers, 0);
});
