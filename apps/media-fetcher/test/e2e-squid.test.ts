// End to end through a real Squid: the federation media download in its inline and Location forms, the legacy
// fallback, size limits, a stalled body, malformed answers, a blocked Location, and single-flight downloads.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import {
	isMediaFetcherError,
	mediaRef,
	type MediaFetcherError,
	type MediaFetcherErrorCode,
} from '../src/index.js';
import { startEnvironment, type Environment } from './helpers/e2e.js';
import { HELLO } from './helpers/remote-homeserver.js';

async function fails(
	t: ExecutionContext,
	env: Environment,
	id: string,
	code: MediaFetcherErrorCode,
): Promise<MediaFetcherError | undefined> {
	const error = await t.throwsAsync<MediaFetcherError>(env.service.get(mediaRef(env.remote.serverName, id)));
	t.true(isMediaFetcherError(error, code), `${id}: ${String(error)}`);
	t.is(await env.store.lookup(mediaRef(env.remote.serverName, id)), undefined);
	t.deepEqual(await readdir(join(env.config.mediaStorePath, 'tmp')), [], 'no temporary file left');
	return error;
}

test.serial(
	'an inline answer in Synapse’s layout is stored, signed and tunnelled through Squid',
	async (t) => {
		const env = await startEnvironment(t);
		if (env === undefined) return;
		const { media, result } = await env.service.get(mediaRef(env.remote.serverName, 'inline'));
		t.is(result, 'miss');
		t.like(media, { size: HELLO.length, contentType: 'text/plain', fileName: 'hello.txt' });
		t.deepEqual(env.remote.signatureProblems, []);
		t.regex(
			env.remote.server.requests[0]?.url ?? '',
			/^\/_matrix\/federation\/v1\/media\/download\/inline\?timeout_ms=20000$/,
		);
		env.http.close();
		const log = await env.squid.readAccessLog({
			until: (entries) => entries.some((entry) => entry.method === 'CONNECT'),
		});
		t.true(log.some((entry) => entry.method === 'CONNECT' && entry.url === env.remote.serverName));
	},
);

test.serial('a Location answer is fetched unsigned through Squid with purpose media_redirect', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	const { media } = await env.service.get(mediaRef(env.remote.serverName, 'location'));
	t.like(media, { size: HELLO.length, contentType: 'text/plain', fileName: 'from-cdn.txt' });
	t.deepEqual(env.remote.calls.cdn, ['/media/location']);
	t.is(env.remote.cdn.requests[0]?.headers.authorization, undefined);
	const log = await env.squid.readAccessLog({
		until: (entries) => entries.some((entry) => entry.method === 'GET'),
	});
	t.true(
		log.some(
			(entry) =>
				entry.method === 'GET' && entry.url === `http://cdn.test:${env.remote.cdn.port}/media/location`,
		),
	);
});

test.serial('a Location pointing at a blocked address is refused without a request', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	const error = await fails(t, env, 'location_blocked', 'ERR_REMOTE_FAILED');
	t.is((error?.cause as { code?: string } | undefined)?.code, 'ERR_IP_BLOCKED');
	t.deepEqual(env.remote.calls.cdn, []);
});

test.serial('a redirect from the Location host to a blocked address is refused at that hop', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	const error = await fails(t, env, 'location_redirect', 'ERR_REMOTE_FAILED');
	t.is((error?.cause as { code?: string } | undefined)?.code, 'ERR_IP_BLOCKED');
	t.deepEqual(env.remote.calls.cdn, ['/redirect-to-literal']);
});

for (const id of ['legacy', 'legacy_html']) {
	test.serial(
		`an unknown federation endpoint (${id}) falls back to the legacy endpoint with allow_remote=false`,
		async (t) => {
			const env = await startEnvironment(t);
			if (env === undefined) return;
			const { media } = await env.service.get(mediaRef(env.remote.serverName, id));
			t.like(media, { size: HELLO.length, contentType: 'image/png', fileName: 'legacy.png' });
			t.deepEqual(env.remote.calls.legacy, [`${id}?allow_remote=false&timeout_ms=20000`]);
			t.deepEqual(env.remote.signatureProblems, []);
		},
	);
}

test.serial('a remote 404 M_NOT_FOUND is passed through without trying the legacy endpoint', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	const error = await fails(t, env, 'missing', 'ERR_MEDIA_NOT_FOUND');
	t.is(error?.status, 404);
	t.deepEqual(env.remote.calls.legacy, []);
});

test.serial('a too-large Content-Length is refused before the body is read', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	await fails(t, env, 'big_announced', 'ERR_MEDIA_TOO_LARGE');
});

test.serial('a too-large body without Content-Length is cut off while streaming', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	await fails(t, env, 'big_chunked', 'ERR_MEDIA_TOO_LARGE');
});

test.serial('a stalled body ends in ERR_REMOTE_TIMEOUT and leaves nothing behind', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	await fails(t, env, 'stall', 'ERR_REMOTE_TIMEOUT');
});

test.serial('a malformed multipart answer is ERR_MULTIPART_INVALID', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	await fails(t, env, 'malformed', 'ERR_MULTIPART_INVALID');
});

test.serial('many concurrent requests for one file make one download through Squid', async (t) => {
	const env = await startEnvironment(t);
	if (env === undefined) return;
	const ref = mediaRef(env.remote.serverName, 'slow');
	const requests = Array.from({ length: 20 }, () => env.service.get(ref));
	while (env.remote.calls.federation.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
	env.remote.release();
	const results = await Promise.all(requests);
	t.deepEqual(env.remote.calls.federation, ['slow']);
	t.true(results.every((result) => result.media.size === HELLO.length));
	t.is(results.filter((result) => result.result === 'miss').length, 1);
});
