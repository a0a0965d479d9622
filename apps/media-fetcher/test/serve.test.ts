import { Readable } from 'node:stream';
import test, { type ExecutionContext } from 'ava';
import {
	MediaFetcherError,
	type RemoteFetchOptions,
	type RemoteMedia,
	type RemoteMediaSource,
} from '../src/index.js';
import { MediaService } from '../src/media-service.js';
import { MediaMetrics } from '../src/metrics.js';
import { createMediaHandler } from '../src/serve/media-handler.js';
import { closeServer, listen, portOf } from '../src/serve/servers.js';
import { startMetricsServer } from '@homeserver/outbound-http';
import { silentLogger, tempStore } from './helpers/store.js';

interface Served {
	readonly base: string;
	readonly metricsBase: string;
	readonly asked: RemoteFetchOptions[];
}

/** Starts the service on loopback with a remote that answers from `files` (by media ID) or throws. */
async function serve(t: ExecutionContext, files: Record<string, RemoteMedia | Error>): Promise<Served> {
	const { store } = await tempStore(t);
	const asked: RemoteFetchOptions[] = [];
	const source: RemoteMediaSource = {
		fetch(ref, options) {
			asked.push(options);
			const answer = files[ref.mediaId];
			if (answer === undefined)
				return Promise.reject(new MediaFetcherError('ERR_MEDIA_NOT_FOUND', 'Not found', { status: 404 }));
			return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
		},
	};
	const metrics = new MediaMetrics();
	const service = new MediaService({ store, source, maxBytes: 1000, logger: silentLogger, metrics });
	const server = await listen(createMediaHandler({ service, logger: silentLogger, metrics }), {
		bindAddress: '127.0.0.1',
		port: 0,
	});
	const metricsServer = await startMetricsServer(
		metrics.registry,
		{ bindAddress: '127.0.0.1', port: 0 },
		silentLogger,
	);
	t.teardown(async () => {
		await closeServer(server);
		await metricsServer.close();
	});
	return {
		base: `http://127.0.0.1:${portOf(server)}/_matrix/client/v1/media/download`,
		metricsBase: `http://127.0.0.1:${metricsServer.address.port}`,
		asked,
	};
}

function file(contentType: string | null, body: string, disposition: string | null = null): RemoteMedia {
	return {
		contentType,
		contentDisposition: disposition,
		contentLength: null,
		body: Readable.from([Buffer.from(body)]),
	};
}

test('an image is served inline with its name and the sandboxing headers', async (t) => {
	const { base } = await serve(t, { cat: file('image/png', 'PNGDATA', 'inline; filename="cat.png"') });
	const response = await fetch(`${base}/remote.example/cat`);
	t.is(response.status, 200);
	t.is(await response.text(), 'PNGDATA');
	t.is(response.headers.get('content-type'), 'image/png');
	t.is(response.headers.get('content-length'), '7');
	t.is(response.headers.get('content-disposition'), 'inline; filename="cat.png"');
	t.regex(
		response.headers.get('content-security-policy') ?? '',
		/^sandbox; default-src 'none'; script-src 'none';/,
	);
	t.is(response.headers.get('x-content-type-options'), 'nosniff');
	t.is(response.headers.get('cross-origin-resource-policy'), 'cross-origin');
});

for (const type of [
	'text/html',
	'image/svg+xml',
	'application/xhtml+xml',
	'text/xml',
	'application/javascript',
	'text/javascript',
]) {
	test(`${type}, which could run script, is served as an attachment`, async (t) => {
		const { base } = await serve(t, {
			page: file(type, '<script>alert(1)</script>', 'inline; filename=x.html'),
		});
		const response = await fetch(`${base}/remote.example/page`);
		t.is(response.status, 200);
		t.is(response.headers.get('content-disposition'), 'attachment; filename="x.html"');
		t.is(response.headers.get('x-content-type-options'), 'nosniff');
		await response.arrayBuffer();
	});
}

test('text gets a charset, a name in the path wins, and HEAD sends no body', async (t) => {
	const { base } = await serve(t, { notes: file('text/plain', 'hi', 'attachment; filename=remote.txt') });
	const response = await fetch(`${base}/remote.example/notes/my%20notes.txt`);
	t.is(response.headers.get('content-type'), 'text/plain; charset=UTF-8');
	t.is(response.headers.get('content-disposition'), 'inline; filename="my notes.txt"');
	t.is(await response.text(), 'hi');
	const head = await fetch(`${base}/remote.example/notes`, { method: 'HEAD' });
	t.is(head.status, 200);
	t.is(head.headers.get('content-length'), '2');
	t.is((await head.arrayBuffer()).byteLength, 0);
});

test('remote failures map to the status codes Synapse uses', async (t) => {
	const { base } = await serve(t, {
		broken: new MediaFetcherError('ERR_REMOTE_FAILED', 'connect ECONNREFUSED 10.0.0.1:8448'),
		huge: new MediaFetcherError('ERR_MEDIA_TOO_LARGE', 'The media is larger than 1000 bytes'),
		odd: new Error('something unexpected'),
	});
	const cases: Array<[string, number, string]> = [
		['missing', 404, 'M_NOT_FOUND'],
		['broken', 502, 'M_UNKNOWN'],
		['huge', 502, 'M_TOO_LARGE'],
		['odd', 502, 'M_UNKNOWN'],
	];
	for (const [id, status, errcode] of cases) {
		const response = await fetch(`${base}/remote.example/${id}`);
		const body = (await response.json()) as { errcode: string; error: string };
		t.is(response.status, status, id);
		t.is(body.errcode, errcode, id);
		t.is(response.headers.get('content-type'), 'application/json');
		t.is(response.headers.get('x-content-type-options'), 'nosniff');
		if (status === 502 && errcode === 'M_UNKNOWN') t.is(body.error, 'Failed to fetch remote media');
	}
});

test('bad names and unknown paths are refused before any download', async (t) => {
	const { base, asked } = await serve(t, {});
	const cases: Array<[string, number, string]> = [
		[`${base}/remote.example/bad.id`, 400, 'M_INVALID_PARAM'],
		[`${base}/remote%2Fexample/x`, 400, 'M_INVALID_PARAM'],
		[`${base}/..%2F..%2Fetc/passwd`, 400, 'M_INVALID_PARAM'],
		[`${base}/remote.example`, 404, 'M_UNRECOGNIZED'],
		[`${base.replace('/download', '/upload')}/remote.example/x`, 404, 'M_UNRECOGNIZED'],
	];
	for (const [url, status, errcode] of cases) {
		const response = await fetch(url);
		t.is(response.status, status, url);
		t.is(((await response.json()) as { errcode: string }).errcode, errcode, url);
	}
	const post = await fetch(`${base}/remote.example/x`, { method: 'POST' });
	t.is(post.status, 405);
	await post.arrayBuffer();
	t.deepEqual(asked, []);
});

test('timeout_ms reaches the remote, capped at 60 s', async (t) => {
	const { base, asked } = await serve(t, {});
	await (await fetch(`${base}/remote.example/a?timeout_ms=5000`)).arrayBuffer();
	await (await fetch(`${base}/remote.example/b?timeout_ms=999999`)).arrayBuffer();
	await (await fetch(`${base}/remote.example/c`)).arrayBuffer();
	t.deepEqual(
		asked.map((options) => options.timeoutMs),
		[5000, 60_000, 20_000],
	);
});

test('metrics count lookups, downloads and responses', async (t) => {
	const { base, metricsBase } = await serve(t, { a: file('text/plain', 'x') });
	await (await fetch(`${base}/remote.example/a`)).arrayBuffer();
	await (await fetch(`${base}/remote.example/a`)).arrayBuffer();
	await (await fetch(`${base}/remote.example/none`)).arrayBuffer();
	// A response is counted on the server's 'finish' event, which may run after this client has its body:
	// read the metrics until all three responses are counted (bounded), then check every counter.
	let text = '';
	for (let attempt = 0; attempt < 100; attempt++) {
		text = await (await fetch(`${metricsBase}/metrics`)).text();
		const counted =
			/media_fetcher_http_responses_total\{status="200"\} 2/.test(text) &&
			/media_fetcher_http_responses_total\{status="404"\} 1/.test(text);
		if (counted) break;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	t.regex(text, /media_fetcher_lookups_total\{result="hit"\} 1/);
	t.regex(text, /media_fetcher_downloads_total\{outcome="ok"\} 1/);
	t.regex(text, /media_fetcher_downloads_total\{outcome="ERR_MEDIA_NOT_FOUND"\} 1/);
	t.regex(text, /media_fetcher_http_responses_total\{status="200"\} 2/);
});
