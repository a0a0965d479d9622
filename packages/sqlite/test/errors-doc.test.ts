import { readFile } from 'node:fs/promises';
import { errorDocProblems } from '@homeserver/testkit';
import test from 'ava';
import { isSqliteError, SQLITE_ERRORS, SqliteError } from '../src/index.js';

test('docs/errors.md documents exactly the codes of SQLITE_ERRORS, each with what to do', async (t) => {
	const markdown = await readFile(new URL('../docs/errors.md', import.meta.url), 'utf8');
	t.deepEqual(errorDocProblems(markdown, Object.keys(SQLITE_ERRORS)), []);
});

test('the guard narrows a SqliteError by code and refuses look-alikes', (t) => {
	const error = new SqliteError('ERR_SQLITE_OPEN', 'cannot open', { cause: new Error('EACCES') });
	t.is(error.name, 'SqliteError');
	t.true(isSqliteError(error, 'ERR_SQLITE_OPEN'));
	t.false(isSqliteError(error, 'ERR_SQLITE_QUERY'));
	t.false(isSqliteError(Object.assign(new Error('x'), { code: 'ERR_SQLITE_OPEN' })));
});
