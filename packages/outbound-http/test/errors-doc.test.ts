import { readFile } from 'node:fs/promises';
import { errorDocProblems } from '@homeserver/testkit';
import test from 'ava';
import {
	ERROR_CODES,
	OUTBOUND_HTTP_ERRORS,
	OutboundHttpError,
	ProxyError,
	isOutboundHttpError,
} from '../src/index.js';

const documentation = await readFile(new URL('../docs/errors.md', import.meta.url), 'utf8');

test('docs/errors.md documents exactly the error codes of the catalogue, each once with what to do', (t) => {
	t.deepEqual(errorDocProblems(documentation, Object.keys(OUTBOUND_HTTP_ERRORS)), []);
	t.deepEqual([...ERROR_CODES], Object.keys(OUTBOUND_HTTP_ERRORS));
});

test('every error is named after its class, keeps its cause, and the guard narrows by code', (t) => {
	const cause = new Error('ECONNREFUSED');
	const error = new ProxyError('ERR_PROXY_UNREACHABLE', 'http://proxy:3128', 'cannot reach', { cause });
	t.is(error.name, 'ProxyError');
	t.is(new OutboundHttpError('ERR_TIMEOUT', 'x').name, 'OutboundHttpError');
	t.is(error.cause, cause);
	t.true(isOutboundHttpError(error, 'ERR_PROXY_UNREACHABLE'));
	t.false(isOutboundHttpError(error, 'ERR_PROXY_TIMEOUT'));
	t.false(isOutboundHttpError(Object.assign(new Error('x'), { code: 'ERR_PROXY_UNREACHABLE' })));
});
