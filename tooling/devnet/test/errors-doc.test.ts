import { readFile } from 'node:fs/promises';
import { errorDocProblems } from '@homeserver/testkit';
import test from 'ava';
import { DEVNET_ERRORS, DevnetError, isDevnetError } from '../src/index.js';

test('docs/errors.md documents exactly the codes of DEVNET_ERRORS, each with what to do', async (t) => {
	const markdown = await readFile(new URL('../docs/errors.md', import.meta.url), 'utf8');
	t.deepEqual(errorDocProblems(markdown, Object.keys(DEVNET_ERRORS)), []);
});

test('the guard narrows a DevnetError by code', (t) => {
	const error = new DevnetError('ERR_DEVNET_STEP', 'not delivered');
	t.is(error.name, 'DevnetError');
	t.true(isDevnetError(error, 'ERR_DEVNET_STEP'));
	t.false(isDevnetError(error, 'ERR_DEVNET_USAGE'));
	t.false(isDevnetError(Object.assign(new Error('x'), { code: 'ERR_DEVNET_STEP' })));
});
