import { PassThrough, Readable } from 'node:stream';
import test from 'ava';
import { isMediaFetcherError, mediaRef, type RemoteMedia, type RemoteMediaSource } from '../src/index.js';
import { MediaService } from '../src/media-service.js';
import { MediaMetrics } from '../src/metrics.js';
import { silentLogger, tempStore } from './helpers/store.js';

const ref = mediaRef('remote.example', 'shared_media');

/** A remote whose answers the test controls; counts how often it was asked. */
function fakeRemote(answer: () => RemoteMedia): RemoteMediaSource & { calls: number } {
	const remote = {
		calls: 0,
		fetch(): Promise<RemoteMedia> {
			remote.calls++;
			return Promise.resolve(answer());
		},
	};
	return remote;
}

test('many concurrent requests for one file cause one download, and all get the stored file', async (t) => {
	const { store } = await tempStore(t);
	const body = new PassThrough();
	const remote = fakeRemote(() => ({
		contentType: 'image/png',
		contentDisposition: 'inline; filename="cat.png"',
		contentLength: 6,
		body,
	}));
	const metrics = new MediaMetrics();
	const service = new MediaService({ store, source: remote, maxBytes: 1000, logger: silentLogger, metrics });
	const requests = Array.from({ length: 25 }, () => service.get(ref));
	await new Promise((resolve) => setImmediate(resolve));
	body.end(Buffer.from('abcdef'));
	const results = await Promise.all(requests);
	t.is(remote.calls, 1);
	t.deepEqual(
		results.map((result) => result.result).sort(),
		['miss', ...Array<string>(24).fill('shared')].sort(),
	);
	t.true(
		results.every((result) => result.media.sha256 === results[0]!.media.sha256 && result.media.size === 6),
	);
	t.like(results[0]!.media, { contentType: 'image/png', fileName: 'cat.png' });
	t.is((await service.get(ref)).result, 'hit');
	t.is(remote.calls, 1);
	t.is(service.downloadsInFlight, 0);
	t.regex(await metrics.registry.metrics(), /media_fetcher_lookups_total\{result="shared"\} 24/);
});

test('a failed download is not remembered: the next request tries again', async (t) => {
	const { store } = await tempStore(t);
	let attempt = 0;
	const remote = fakeRemote(() => {
		attempt++;
		const body =
			attempt === 1
				? Readable.from(
						(function* () {
							yield Buffer.from('ab');
							throw new Error('reset');
						})(),
					)
				: Readable.from([Buffer.from('ok')]);
		return { contentType: null, contentDisposition: null, contentLength: null, body };
	});
	const service = new MediaService({ store, source: remote, maxBytes: 1000, logger: silentLogger });
	const error = await t.throwsAsync(service.get(ref));
	t.true(isMediaFetcherError(error, 'ERR_REMOTE_FAILED'));
	const second = await service.get(ref);
	t.is(second.result, 'miss');
	t.is(second.media.contentType, 'application/octet-stream');
	t.is(remote.calls, 2);
});

test('an announced length above max_upload_size is refused before the body is read', async (t) => {
	const { store } = await tempStore(t);
	let read = false;
	const body = new Readable({
		read() {
			read = true;
			this.push(null);
		},
	});
	const remote = fakeRemote(() => ({
		contentType: 'text/plain',
		contentDisposition: null,
		contentLength: 1001,
		body,
	}));
	const service = new MediaService({ store, source: remote, maxBytes: 1000, logger: silentLogger });
	const error = await t.throwsAsync(service.get(ref));
	t.true(isMediaFetcherError(error, 'ERR_MEDIA_TOO_LARGE'));
	t.is((error as { status?: number }).status, 502);
	t.false(read);
	t.true(body.destroyed);
});

test('an unannounced oversize body fails with ERR_MEDIA_TOO_LARGE while streaming', async (t) => {
	const { store } = await tempStore(t);
	const remote = fakeRemote(() => ({
		contentType: 'text/plain',
		contentDisposition: null,
		contentLength: null,
		body: Readable.from([Buffer.alloc(600), Buffer.alloc(600)]),
	}));
	const service = new MediaService({ store, source: remote, maxBytes: 1000, logger: silentLogger });
	t.true(isMediaFetcherError(await t.throwsAsync(service.get(ref)), 'ERR_MEDIA_TOO_LARGE'));
	t.is(await store.lookup(ref), undefined);
});

test('progress reaches the caller that started the download and those who joined it', async (t) => {
	const { store } = await tempStore(t);
	const body = new PassThrough();
	const remote = fakeRemote(() => ({
		contentType: 'text/plain',
		contentDisposition: null,
		contentLength: 4,
		body,
	}));
	const service = new MediaService({ store, source: remote, maxBytes: 1000, logger: silentLogger });
	const first: number[] = [];
	const second: Array<[number, number | null]> = [];
	const requests = [
		service.get(ref, { onProgress: (received) => first.push(received) }),
		service.get(ref, { onProgress: (...args) => second.push(args) }),
	];
	await new Promise((resolve) => setImmediate(resolve));
	body.write('ab');
	await new Promise((resolve) => setImmediate(resolve));
	body.end('cd');
	await Promise.all(requests);
	t.is(first.at(-1), 4);
	t.deepEqual(second.at(-1), [4, 4]);
});

test('a download that outlives its deadline ends in ERR_REMOTE_TIMEOUT and aborts the remote', async (t) => {
	const { store } = await tempStore(t);
	const body = new PassThrough();
	let signal: AbortSignal | undefined;
	const remote: RemoteMediaSource = {
		fetch(_ref, options) {
			signal = options.signal;
			body.write('a trickle that never ends');
			return Promise.resolve({ contentType: null, contentDisposition: null, contentLength: null, body });
		},
	};
	const service = new MediaService({
		store,
		source: remote,
		maxBytes: 1000,
		logger: silentLogger,
		maxDownloadMs: 50,
	});
	t.true(isMediaFetcherError(await t.throwsAsync(service.get(ref)), 'ERR_REMOTE_TIMEOUT'));
	t.true(signal?.aborted);
	t.true(body.destroyed);
	t.is(await store.lookup(ref), undefined);
});

test('no more than maxConcurrentDownloads downloads run at once; the others wait their turn', async (t) => {
	const { store } = await tempStore(t);
	const bodies: PassThrough[] = [];
	let running = 0;
	let most = 0;
	const remote: RemoteMediaSource = {
		fetch() {
			running++;
			most = Math.max(most, running);
			const body = new PassThrough();
			body.once('end', () => running--);
			bodies.push(body);
			return Promise.resolve({ contentType: null, contentDisposition: null, contentLength: null, body });
		},
	};
	const service = new MediaService({
		store,
		source: remote,
		maxBytes: 1000,
		logger: silentLogger,
		maxConcurrentDownloads: 2,
	});
	const requests = ['a', 'b', 'c', 'd', 'e'].map((id) => service.get(mediaRef('remote.example', id)));
	for (let finished = 0; finished < 5; finished++) {
		while (bodies.length <= finished) await new Promise((resolve) => setImmediate(resolve));
		t.true(bodies.length <= finished + 2);
		bodies[finished]!.end('x');
	}
	await Promise.all(requests);
	t.is(most, 2);
});
