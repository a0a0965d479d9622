import { readFile } from 'node:fs/promises';
import { errorDocProblems } from '@homeserver/testkit';
import test from 'ava';
import { CONFIG_ERRORS, ConfigError, errorCode, isConfigError } from '../src/index.js';

test('docs/errors.md documents exactly the config error codes, each with what to do', async (t) => {
	const markdown = await readFile(new URL('../docs/errors.md', import.meta.url), 'utf8');
	t.deepEqual(errorDocProblems(markdown, Object.keys(CONFIG_ERRORS)), []);
});

test('a ConfigError carries its code, name and cause, and the guard narrows by code', (t) => {
	const cause = new Error('EACCES');
	const error = new ConfigError([{ key: 'k', value: '', reason: 'r' }], { cause });
	t.is(error.name, 'ConfigError');
	t.is(error.cause, cause);
	t.true(isConfigError(error, 'ERR_CONFIG_INVALID'));
	t.false(isConfigError(new Error('x')));
	t.false(isConfigError({ code: 'ERR_CONFIG_INVALID' }), 'a look-alike object is not a ConfigError');
});

test('errorCode reads a string code from anything and nothing else', (t) => {
	t.is(errorCode(Object.assign(new Error('x'), { code: 'ECONNRESET' })), 'ECONNRESET');
	t.is(errorCode({ code: 'ERR_X' }), 'ERR_X');
	t.is(errorCode({ code: 42 }), undefined);
	t.is(errorCode(new Error('x')), undefined);
	t.is(errorCode('ERR_X'), undefined);
	t.is(errorCode(null), undefined);
	t.is(errorCode(undefined), undefined);
});
