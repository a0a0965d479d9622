import { readFile } from 'node:fs/promises';
import test from 'ava';
import { errorCatalogue, MediaFetcherError } from '../src/index.js';

test('every error code is documented in the README with the status and errcode a client receives', async (t) => {
	const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
	for (const [code, { status, errcode }] of Object.entries(errorCatalogue)) {
		t.true(readme.includes(`| \`${code}\` | ${status} | \`${errcode}\` |`), code);
	}
});

test('the limit codes carry their retry time', (t) => {
	const error = new MediaFetcherError('ERR_RATE_LIMITED', 'slow down', { retryAfterMs: 1500 });
	t.is(error.status, 429);
	t.is(error.errcode, 'M_LIMIT_EXCEEDED');
	t.is(error.retryAfterMs, 1500);
});
