// End to end through a real Squid against the testkit's remote homeserver: the federation media download in its
// inline and Location forms, the legacy fallback, size limits, a stalled body, malformed answers, blocked
// Locations, and single-flight downloads.
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { generatedBytes } from '@homeserver/testkit';
import test, { type ExecutionContext } from 'ava';
import {
	isMediaFetcherError,
	mediaRef,
	type MediaFetcherError,
	type MediaFetcherErrorCode,
} from '../src/index.js';
import { CDN_BYTES, startEnvironment, type Environment } from './helpers/e2e.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function fails(
	t: ExecutionContext,
	env: Environment,
	id: string,
	code: MediaFetcherErrorCode,
): Promise<MediaFetcherError | undefined> {
	const error = await t.throwsAsync<MediaFetcherError>(env.service.get(mediaRef(env.serverName, id)));
	t.true(isMediaFetcherError(error, code), `${id}: ${String(error)}`);
	t.is(await env.store.lookup(mediaRef(env.serverName, id)), undefined);
	t.deepEqual(await readdir(join(env.config.mediaStorePath, 'tmp')), [], 'no temporary file left');
	return error;
}

test.serial(
	'an inline answer in Synapse’s layout is stored, verified as signed, and tunnelled through Squid',
	async (t) => {
		const env = await startEnvironment(t);
		if (env === undefined) return;
		env.remote.media.add('inline', { size: 60_000, contentType: 'image/png', fileName: 'cat.png' });
		const { media, result } = await env.service.get(mediaRef(env.serverName, 'inline'));
		t.is(result, 'miss');
		t.like(media, {
			size: 60_000,
			contentType: 'image/png',
			fileName: 'cat.png',
			sha256: sha256(generatedBytes(0, 60_000)),
		});
		t.like(env.remote.requests[0], {
			path: '/_matrix/federation/v1/media/download/inline',
			url: '/_matrix/federation/v1/media/download/inline?timeout_ms=20000',
			authorization: 'valid',
			origin: 'local.test',
			servername: 'remote.test',
		});
		env.http.close();
		const log = await env.squid.readAccessLog({
			until: (entries) => entries.some((entry) => entry.method === 'CONNECT'),
		});
		t.true(log.some((entry) => entry.method === 'CONNECT' && entry.url === env.serverName));
	},
);

test.serial('a quoted boundary, no Content-Length and no closing delimiter are all accepted', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	env.remote.media.add('odd', {
		bytes: 'odd but fine',
		contentType: 'text/plain',
		quoteBoundary: true,
		announceLength: false,
		omitClosingDelimiter: true,
	});
	const { media } = await env.service.get(mediaRef(env.serverName, 'odd'));
	t.like(media, { size: 12, contentType: 'text/plain', sha256: sha256(Buffer.from('odd but fine')) });
});

test.serial('a Location answer is fetched unsigned through Squid with purpose media_redirect', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	env.remote.media.addRedirect('location', `http://cdn.test:${env.cdn.port}/media/location`);
	const { media } = await env.service.get(mediaRef(env.serverName, 'location'));
	t.like(media, { size: CDN_BYTES.length, contentType: 'text/plain', fileName: 'from-cdn.txt' });
	t.deepEqual(
		env.cdn.requests.map((request) => request.url),
		['/media/location'],
	);
	t.is(env.cdn.requests[0]?.headers.authorization, undefined);
	const log = await env.squid.readAccessLog({
		until: (entries) => entries.some((entry) => entry.method === 'GET'),
	});
	t.true(
		log.some(
			(entry) => entry.method === 'GET' && entry.url === `http://cdn.test:${env.cdn.port}/media/location`,
		),
	);
});

test.serial('a Location pointing at a blocked address is refused without a request', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	env.remote.media.addRedirect('blocked', `http://127.0.0.1:${env.cdn.port}/media/blocked`);
	const error = await fails(t, env, 'blocked', 'ERR_REMOTE_FAILED');
	t.is((error?.cause as { code?: string } | undefined)?.code, 'ERR_IP_BLOCKED');
	t.deepEqual(env.cdn.requests, []);
});

test.serial('a redirect from the Location host to a blocked address is refused at that hop', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	env.remote.media.addRedirect('hop', `http://cdn.test:${env.cdn.port}/redirect-to-literal`);
	const error = await fails(t, env, 'hop', 'ERR_REMOTE_FAILED');
	t.is((error?.cause as { code?: string } | undefined)?.code, 'ERR_IP_BLOCKED');
	t.deepEqual(
		env.cdn.requests.map((request) => request.url),
		['/redirect-to-literal'],
	);
});

test.serial(
	'a server without the federation endpoint is asked on the legacy one, with allow_remote=false and allow_redirect=true',
	async (t) => {
		const env = await startEnvironment(t);
		if (env === undefined) return;
		env.remote.media.legacyOnly();
		env.remote.media.add('legacy', { bytes: CDN_BYTES, contentType: 'image/png', fileName: 'legacy.png' });
		const { media } = await env.service.get(mediaRef(env.serverName, 'legacy'));
		t.like(media, { size: CDN_BYTES.length, contentType: 'image/png', fileName: 'legacy.png' });
		const legacy = env.remote.requests.find((request) =>
			request.path.startsWith('/_matrix/media/v3/download/'),
		);
		t.is(
			legacy?.url,
			`/_matrix/media/v3/download/${encodeURIComponent(env.serverName)}/legacy` +
				'?allow_remote=false&timeout_ms=20000&allow_redirect=true',
		);
		t.is(legacy?.authorization, 'valid');
	},
);

test.serial(
	'a legacy answer that redirects (307) is followed unsigned through Squid with purpose media_redirect',
	async (t) => {
		const env = await startEnvironment(t);
		if (env === undefined) return;
		env.remote.media.legacyOnly();
		const location = `http://cdn.test:${env.cdn.port}/media/legacy-redirect`;
		env.remote.media.addRaw('moved', { status: 307, headers: { location }, body: '', endpoint: 'legacy' });
		const { media } = await env.service.get(mediaRef(env.serverName, 'moved'));
		t.like(media, { size: CDN_BYTES.length, contentType: 'text/plain', fileName: 'from-cdn.txt' });
		t.deepEqual(
			env.remote.requests.map((request) => [request.path.split('/').slice(0, 4).join('/'), request.status]),
			[
				['/_matrix/federation/v1', 404],
				['/_matrix/media/v3', 307],
			],
		);
		t.regex(env.remote.requests[1]?.url ?? '', /\?allow_remote=false&timeout_ms=\d+&allow_redirect=true$/);
		t.deepEqual(
			env.cdn.requests.map((request) => [request.url, request.headers.authorization]),
			[['/media/legacy-redirect', undefined]],
		);
		const log = await env.squid.readAccessLog({
			until: (entries) => entries.some((entry) => entry.method === 'GET'),
		});
		t.true(log.some((entry) => entry.method === 'GET' && entry.url === location));
	},
);

test.serial('a remote 404 M_NOT_FOUND is passed through without trying the legacy endpoint', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	const error = await fails(t, env, 'missing', 'ERR_MEDIA_NOT_FOUND');
	t.is(error?.status, 404);
	t.deepEqual(
		env.remote.requests.map((request) => request.path),
		['/_matrix/federation/v1/media/download/missing'],
	);
});

test.serial('a too-large Content-Length is refused before the body is read', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	// The body stalls at once: only the announced length can end this before the idle timeout would.
	env.remote.media.add('announced', { size: 10 * 1024 * 1024, stallAfterBytes: 0 });
	await fails(t, env, 'announced', 'ERR_MEDIA_TOO_LARGE');
});

test.serial('a too-large body without Content-Length is cut off while streaming', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	env.remote.media.add('chunked', { size: 64 * 1024 + 1, announceLength: false });
	await fails(t, env, 'chunked', 'ERR_MEDIA_TOO_LARGE');
});

test.serial('a stalled body ends in ERR_REMOTE_TIMEOUT and leaves nothing behind', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	env.remote.media.add('stall', { size: 50_000, stallAfterBytes: 20_000 });
	await fails(t, env, 'stall', 'ERR_REMOTE_TIMEOUT');
});

test.serial('a malformed multipart answer is ERR_MULTIPART_INVALID', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	env.remote.media.addRaw('malformed', {
		headers: { 'content-type': 'multipart/mixed; boundary=b' },
		body: '--b\r\nContent-Type: text/plain\r\n\r\n{}\r\n--b\r\n\r\nx\r\n--b--',
	});
	await fails(t, env, 'malformed', 'ERR_MULTIPART_INVALID');
});

test.serial('many concurrent requests for one file make one download through Squid', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	env.remote.media.add('popular', { size: 30_000 });
	env.remote.stall('forever', 1);
	const ref = mediaRef(env.serverName, 'popular');
	const requests = Array.from({ length: 20 }, () => env.service.get(ref));
	while (env.remote.stalled === 0) await new Promise((resolve) => setTimeout(resolve, 10));
	env.remote.release();
	const results = await Promise.all(requests);
	t.is(env.remote.media.downloads('popular'), 1);
	t.true(results.every((result) => result.media.size === 30_000));
	t.is(results.filter((result) => result.result === 'miss').length, 1);
});
