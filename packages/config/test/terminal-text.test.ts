import test from 'ava';
import { terminalSafe, terminalSafeDeep, terminalSafeJson, terminalSafeJsonText } from '../src/index.js';

test('control characters, ANSI escapes, newlines and bidi controls become visible escapes', (t) => {
	t.is(terminalSafe('$ev\u001b[31mred\u001b[0m'), '$ev\\u001b[31mred\\u001b[0m');
	t.is(terminalSafe('a\r\nb\tc\u0000d\u007fe\u009bf'), 'a\\u000d\\u000ab\\u0009c\\u0000d\\u007fe\\u009bf');
	t.is(terminalSafe('cat\u202egnp.exe'), 'cat\\u202egnp.exe');
	t.is(terminalSafe('zero\u200bwidth\u2028line'), 'zero\\u200bwidth\\u2028line');
	t.is(terminalSafe('a\\u001bb'), 'a\\\\u001bb');
});

test('printable text, Unicode included, is left as it is, and escaping twice changes nothing more', (t) => {
	for (const text of ['example.org', 'mxc://bücher.example/abc_DEF-1', 'файл.png', '😀 ok', '']) {
		t.is(terminalSafe(text), text);
	}
	const once = terminalSafe('\u001b]0;title\u0007');
	t.false(/[\u0000-\u001f\u007f]/.test(once));
});

test('every string of an object is escaped, keys included; other values stay', (t) => {
	t.deepEqual(terminalSafeDeep({ 'k\n': ['v\u001b', 1, null, { n: true }] }), {
		'k\\u000a': ['v\\u001b', 1, null, { n: true }],
	});
});

test('JSON output keeps its value but loses the raw C1, bidi and separator characters JSON.stringify leaves in', (t) => {
	const value = {
		id: '$a\u009b31mb',
		name: 'x\u202ey',
		line: 'p\u2028q',
		esc: '\u001b[0m',
		tag: 'a\u{e0041}b',
	};
	const text = terminalSafeJson(value, 2);
	t.false(/[\u0000-\u001f\u007f-\u009f\u202e\u2028]/.test(text.replace(/\n/g, '')));
	t.false(/[\u{e0000}-\u{e007f}]/u.test(text));
	t.deepEqual(JSON.parse(text), value);
	t.is(terminalSafeJsonText('{"a":"plain"}'), '{"a":"plain"}');
});
