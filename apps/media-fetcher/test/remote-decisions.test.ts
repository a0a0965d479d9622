import test from 'ava';
import { isUnknownEndpoint, MediaFetcherError, parseRemoteErrorBody, toMediaError } from '../src/index.js';

const json = (value: unknown) => parseRemoteErrorBody(Buffer.from(JSON.stringify(value)));

test('only an endpoint the remote does not know leads to the legacy fallback', (t) => {
	const unknown = [
		[404, json({ errcode: 'M_UNRECOGNIZED' })],
		[405, json({ errcode: 'M_UNRECOGNIZED' })],
		[400, json({ errcode: 'M_UNRECOGNIZED' })],
		[404, parseRemoteErrorBody(Buffer.from('<html>Not Found</html>'))],
		[405, parseRemoteErrorBody(Buffer.alloc(0))],
		[404, json({ error: 'no errcode' })],
	] as const;
	for (const [status, body] of unknown)
		t.true(isUnknownEndpoint(status, body), `${status} ${JSON.stringify(body)}`);
	const known = [
		[404, json({ errcode: 'M_NOT_FOUND' })],
		[400, parseRemoteErrorBody(Buffer.from('bad'))],
		[500, json({ errcode: 'M_UNRECOGNIZED' })],
		[502, json({ errcode: 'M_TOO_LARGE' })],
		[403, json({ errcode: 'M_FORBIDDEN' })],
		[504, json({ errcode: 'M_NOT_YET_UPLOADED' })],
	] as const;
	for (const [status, body] of known)
		t.false(isUnknownEndpoint(status, body), `${status} ${JSON.stringify(body)}`);
});

test('remote error bodies are read defensively', (t) => {
	t.deepEqual(json([1, 2]), { errcode: null, error: null });
	t.deepEqual(json({ errcode: 5 }), { errcode: null, error: null });
	t.is(json({ errcode: 'M_X'.repeat(100) }).errcode?.length, 100);
});

test('transport errors map to what a client needs to know, keeping the cause', (t) => {
	const cases = [
		['ERR_RESPONSE_TOO_LARGE', 'ERR_MEDIA_TOO_LARGE'],
		['ERR_TIMEOUT', 'ERR_REMOTE_TIMEOUT'],
		['ERR_PROXY_TIMEOUT', 'ERR_REMOTE_TIMEOUT'],
		['ERR_IP_BLOCKED', 'ERR_REMOTE_FAILED'],
		['ERR_PROXY_AUTH_REQUIRED', 'ERR_REMOTE_FAILED'],
		[undefined, 'ERR_REMOTE_FAILED'],
	] as const;
	for (const [from, to] of cases) {
		const cause = Object.assign(new Error('transport'), { code: from });
		const mapped = toMediaError(cause);
		t.is(mapped.code, to, String(from));
		t.is(mapped.cause, cause);
	}
	const ours = new MediaFetcherError('ERR_MEDIA_NOT_FOUND', 'gone', { status: 404 });
	t.is(toMediaError(ours), ours);
});
