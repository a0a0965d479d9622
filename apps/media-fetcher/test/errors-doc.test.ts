import { readFile } from 'node:fs/promises';
import { errorDocProblems } from '@homeserver/testkit';
import test from 'ava';
import { isMediaFetcherError, MEDIA_FETCHER_ERRORS, MediaFetcherError } from '../src/index.js';

test('docs/errors.md documents exactly the codes of MEDIA_FETCHER_ERRORS, each with what to do', async (t) => {
	const markdown = await readFile(new URL('../docs/errors.md', import.meta.url), 'utf8');
	t.deepEqual(errorDocProblems(markdown, Object.keys(MEDIA_FETCHER_ERRORS)), []);
});

test('each documented client answer is the catalogue’s status and errcode', async (t) => {
	const markdown = await readFile(new URL('../docs/errors.md', import.meta.url), 'utf8');
	for (const [code, { status, errcode }] of Object.entries(MEDIA_FETCHER_ERRORS)) {
		const section = markdown.split(/^### /m).find((part) => part.startsWith(`${code}\n`)) ?? '';
		const answer = /Clients get (\d{3}) `(M_[A-Z_]+)`/.exec(section);
		if (answer !== null) t.deepEqual([Number(answer[1]), answer[2]], [status, errcode], code);
	}
});

test('the guard narrows by code, and the status comes from the catalogue unless overridden', (t) => {
	const error = new MediaFetcherError('ERR_REMOTE_FAILED', 'Failed to fetch remote media');
	t.is(error.name, 'MediaFetcherError');
	t.is(error.status, 502);
	t.is(new MediaFetcherError('ERR_MEDIA_NOT_FOUND', 'x', { status: 404 }).status, 404);
	t.true(isMediaFetcherError(error, 'ERR_REMOTE_FAILED'));
	t.false(isMediaFetcherError(error, 'ERR_REMOTE_TIMEOUT'));
	t.false(isMediaFetcherError(Object.assign(new Error('x'), { code: 'ERR_REMOTE_FAILED' })));
});
