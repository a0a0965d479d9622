import { readFile } from 'node:fs/promises';
import test from 'ava';
import { ERROR_CODES } from '../src/index.js';

const documentation = await readFile(new URL('../docs/errors.md', import.meta.url), 'utf8');
const documented = [...documentation.matchAll(/^### (\S+)$/gm)].map((match) => match[1]);

test('docs/errors.md documents exactly the exported error codes, each once', (t) => {
	t.deepEqual([...documented].sort(), [...ERROR_CODES].sort());
	t.is(new Set(documented).size, documented.length);
});

test('every documented code says what it means and what to do', (t) => {
	const sections = documentation.split(/^### /m).slice(1);
	for (const section of sections) {
		const code = section.slice(0, section.indexOf('\n'));
		t.regex(section, /\*\*What to\sdo:\*\*/, code);
	}
});
