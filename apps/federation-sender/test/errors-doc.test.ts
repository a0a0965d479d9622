import { readFile } from 'node:fs/promises';
import { errorDocProblems } from '@homeserver/testkit';
import test from 'ava';
import {
	describeError,
	FEDERATION_SENDER_ERRORS,
	FederationSenderError,
	isFederationSenderError,
} from '../src/index.js';

test('docs/errors.md documents exactly the codes of FEDERATION_SENDER_ERRORS, each with what to do', async (t) => {
	const markdown = await readFile(new URL('../docs/errors.md', import.meta.url), 'utf8');
	t.deepEqual(errorDocProblems(markdown, Object.keys(FEDERATION_SENDER_ERRORS)), []);
});

test('the guard narrows by code, and describeError prefixes any code found', (t) => {
	const cause = new Error('disk full');
	const error = new FederationSenderError('ERR_DATABASE', 'cannot write', { cause });
	t.is(error.name, 'FederationSenderError');
	t.is(error.cause, cause);
	t.true(isFederationSenderError(error, 'ERR_DATABASE'));
	t.false(isFederationSenderError(error, 'ERR_ALREADY_RUNNING'));
	t.false(isFederationSenderError(Object.assign(new Error('x'), { code: 'ERR_DATABASE' })));
	t.is(describeError(error), 'ERR_DATABASE: cannot write');
	t.is(describeError(new Error('plain')), 'plain');
	t.is(describeError('text'), 'text');
});
