import { readFile } from 'node:fs/promises';
import test from 'ava';
import { errorDocProblems, TESTKIT_ERRORS } from '../src/index.js';

test('docs/errors.md documents exactly the testkit’s error codes, each with what to do', async (t) => {
	const markdown = await readFile(new URL('../docs/errors.md', import.meta.url), 'utf8');
	t.deepEqual(errorDocProblems(markdown, Object.keys(TESTKIT_ERRORS)), []);
});

test('the doc check reports missing, unknown, repeated and incomplete sections', (t) => {
	const markdown = [
		'### ERR_A',
		'Means A. **What to do:** fix A.',
		'### ERR_B',
		'Means B.',
		'### ERR_C',
		'Means C. **What to do:** nothing.',
		'### ERR_C',
		'**What to do:** again.',
	].join('\n');
	t.deepEqual(errorDocProblems(markdown, ['ERR_A', 'ERR_B', 'ERR_D']), [
		'ERR_B: the section has no "**What to do:**" line',
		'ERR_C: the section does not say what the code means',
		'ERR_D: not documented',
		'ERR_C: documented but not in the catalogue',
		'ERR_C: documented 2 times',
	]);
});
