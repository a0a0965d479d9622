// What comes from input files or the network is escaped when the CLI prints it: no control character, ANSI escape
// or bidi character reaches the terminal (config's terminalSafe / terminalSafeJson).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { cliHarness } from './helpers/cli.js';

/** Anything a terminal could act on: C0/C1 controls (newlines excepted, they end our own lines), DEL, bidi. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const hostile = '$ev\u001b[2J\u001b]0;pwned\u0007\r\u009b31m\u202eid';

test('enqueue prints a hostile event id escaped, and status (text and --json) shows it without raw control characters', async (t) => {
	const h = cliHarness(t);
	const pdu = { type: 'm.room.message', room_id: '!r:origin.test', event_id: hostile, content: {} };
	writeFileSync(join(h.dir, 'a.json'), JSON.stringify(pdu));
	const result = await h.cli([
		'enqueue',
		'--config',
		h.configPath,
		'--destination',
		'remote.test',
		'--pdu',
		join(h.dir, 'a.json'),
	]);
	t.is(result.code, 0, result.stderr);
	t.false(RAW.test(result.stdout), JSON.stringify(result.stdout));
	t.true(
		result.stdout.includes('$ev\\u001b[2J\\u001b]0;pwned\\u0007\\u000d\\u009b31m\\u202eid'),
		result.stdout,
	);
	for (const args of [[], ['--json']]) {
		const status = await h.cli(['status', '--config', h.configPath, ...args]);
		t.is(status.code, 0, status.stderr);
		t.false(RAW.test(status.stdout), JSON.stringify(status.stdout));
	}
});

test('an error message quoting hostile input is printed escaped on stderr', async (t) => {
	const h = cliHarness(t);
	const result = await h.cli(['status\u009b31m\u202e']);
	t.is(result.code, 2);
	t.false(RAW.test(result.stderr), JSON.stringify(result.stderr));
	const bad = await h.cli(
		['enqueue', '--config', h.configPath, '--destination', 'remote.test', '--pdu', '-'],
		`{"type": "x\u009b", "room_id": 5}`,
	);
	t.is(bad.code, 1);
	t.false(RAW.test(bad.stderr), JSON.stringify(bad.stderr));
});
