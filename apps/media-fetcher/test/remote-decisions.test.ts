import { MatrixRemoteError } from '@homeserver/federation';
import { BODY_RATE_PHASE, OutboundHttpError, RequestTimeoutError } from '@homeserver/outbound-http';
import test from 'ava';
import { MediaFetcherError } from '../src/index.js';
import { toMediaError } from '../src/remote/map-error.js';
import { isUnknownEndpoint } from '../src/remote/unknown-endpoint.js';

/** The error the federation client throws for an answer with this status and body. */
const answer = (status: number, body: unknown) =>
	MatrixRemoteError.fromResponse(status, {}, typeof body === 'string' ? body : JSON.stringify(body));

test('only an endpoint the remote does not know leads to the legacy fallback', (t) => {
	const unknown = [
		answer(404, { errcode: 'M_UNRECOGNIZED' }),
		answer(405, { errcode: 'M_UNRECOGNIZED' }),
		answer(400, { errcode: 'M_UNRECOGNIZED' }),
		answer(404, '<html>Not Found</html>'),
		answer(405, ''),
		answer(404, { error: 'no errcode' }),
		answer(404, { errcode: 5 }),
		answer(404, [1, 2]),
	];
	for (const error of unknown) t.true(isUnknownEndpoint(error), error.message);
	const known = [
		answer(404, { errcode: 'M_NOT_FOUND' }),
		answer(400, 'bad'),
		answer(500, { errcode: 'M_UNRECOGNIZED' }),
		answer(502, { errcode: 'M_TOO_LARGE' }),
		answer(403, { errcode: 'M_FORBIDDEN' }),
		answer(504, { errcode: 'M_NOT_YET_UPLOADED' }),
	];
	for (const error of known) t.false(isUnknownEndpoint(error), error.message);
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
		const cause = from === undefined ? new Error('transport') : new OutboundHttpError(from, 'transport');
		const mapped = toMediaError(cause);
		t.is(mapped.code, to, String(from));
		t.is(mapped.cause, cause);
	}
	// A body stream's error is got's wrapper with ours on `cause`; a look-alike code on a foreign error is not ours.
	const wrapped = new Error('body failed', { cause: new OutboundHttpError('ERR_TIMEOUT', 'socket') });
	t.is(toMediaError(wrapped).code, 'ERR_REMOTE_TIMEOUT');
	t.is(toMediaError(Object.assign(new Error('x'), { code: 'ERR_TIMEOUT' })).code, 'ERR_REMOTE_FAILED');
	const ours = new MediaFetcherError('ERR_MEDIA_NOT_FOUND', 'gone', { status: 404 });
	t.is(toMediaError(ours), ours);
});

test('a body below the download’s minimum rate (the stack’s ERR_TIMEOUT, phase rate) is ERR_REMOTE_TOO_SLOW', (t) => {
	const rate = new RequestTimeoutError(
		'https://remote.test/x',
		BODY_RATE_PHASE,
		new Error('3 bytes in 1000 ms'),
	);
	t.is(toMediaError(rate).code, 'ERR_REMOTE_TOO_SLOW');
	t.is(toMediaError(new Error('body failed', { cause: rate })).code, 'ERR_REMOTE_TOO_SLOW');
	const headers = new RequestTimeoutError('https://remote.test/x', 'response', new Error('late'));
	t.is(toMediaError(headers).code, 'ERR_REMOTE_TIMEOUT');
});
