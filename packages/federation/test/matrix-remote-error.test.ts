import test from 'ava';
import { FederationError, MatrixRemoteError } from '../src/index.js';

test('a Matrix error body gives status, errcode, error and retry_after_ms', (t) => {
	const error = MatrixRemoteError.fromResponse(
		429,
		{ 'content-type': 'application/json' },
		'{"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests","retry_after_ms":2000}',
	);
	t.true(error instanceof FederationError);
	t.is(error.code, 'ERR_MATRIX_REMOTE');
	t.is(error.status, 429);
	t.is(error.errcode, 'M_LIMIT_EXCEEDED');
	t.is(error.error, 'Too many requests');
	t.is(error.retryAfterMs, 2000);
	t.is(error.message, 'remote server answered HTTP 429 M_LIMIT_EXCEEDED: Too many requests');
});

test('a body given as bytes is read as UTF-8', (t) => {
	const error = MatrixRemoteError.fromResponse(
		403,
		{},
		Buffer.from('{"errcode":"M_FORBIDDEN","error":"nö"}'),
	);
	t.is(error.errcode, 'M_FORBIDDEN');
	t.is(error.error, 'nö');
});

test('Retry-After (seconds or HTTP date) wins over retry_after_ms', (t) => {
	const body = '{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":2000}';
	t.is(MatrixRemoteError.fromResponse(429, { 'Retry-After': '7' }, body).retryAfterMs, 7000);
	const now = Date.UTC(2024, 0, 1, 0, 0, 0);
	t.is(
		MatrixRemoteError.fromResponse(429, { 'retry-after': 'Mon, 01 Jan 2024 00:00:30 GMT' }, body, now)
			.retryAfterMs,
		30_000,
	);
	t.is(MatrixRemoteError.fromResponse(429, { 'retry-after': 'soon' }, body).retryAfterMs, 2000);
});

test('a non-JSON or non-object body leaves errcode and error undefined', (t) => {
	for (const body of [
		'<html>502 Bad Gateway</html>',
		'',
		'[1,2]',
		'"M_FORBIDDEN"',
		'null',
		Buffer.from([0xff, 0xfe]),
	]) {
		const error = MatrixRemoteError.fromResponse(502, {}, body);
		t.is(error.errcode, undefined);
		t.is(error.error, undefined);
		t.is(error.retryAfterMs, undefined);
		t.is(error.message, 'remote server answered HTTP 502');
	}
});

test('a huge body is not parsed at all', (t) => {
	const body = JSON.stringify({ errcode: 'M_FORBIDDEN', error: 'x'.repeat(100_000) });
	t.is(MatrixRemoteError.fromResponse(403, {}, body).errcode, undefined);
});

test('hostile fields are dropped or cleaned', (t) => {
	const error = MatrixRemoteError.fromResponse(
		400,
		{},
		JSON.stringify({
			errcode: 'M_BAD\nX-Injected: 1',
			error: `line1\r\nline2\u0000${'y'.repeat(5000)}`,
			retry_after_ms: -5,
		}),
	);
	t.is(error.errcode, undefined);
	t.false(/[\r\n\u0000]/.test(error.error ?? ''));
	t.true((error.error ?? '').startsWith('line1  line2 y'));
	t.true((error.error ?? '').length <= 1001);
	t.is(error.retryAfterMs, undefined);
	for (const bad of [1.5, '2000', 2 ** 60, null]) {
		t.is(
			MatrixRemoteError.fromResponse(429, {}, JSON.stringify({ retry_after_ms: bad })).retryAfterMs,
			undefined,
		);
	}
});

test('namespaced errcodes are kept', (t) => {
	t.is(
		MatrixRemoteError.fromResponse(400, {}, '{"errcode":"IO.ELEMENT.SOME_ERROR"}').errcode,
		'IO.ELEMENT.SOME_ERROR',
	);
});
