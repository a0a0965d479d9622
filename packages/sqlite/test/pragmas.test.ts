// Pragmas on every engine: the apps' settings (WAL, synchronous, busy timeout, user_version) read back the same.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eachBackend } from './helpers/backends.js';

eachBackend('user_version reads as a number with simple: true and can be set', (t, { open }) => {
	const db = open();
	t.is(db.pragma('user_version', { simple: true }), 0);
	t.deepEqual(db.pragma('user_version = 3'), []);
	t.is(db.pragma('user_version', { simple: true }), 3);
	t.deepEqual(db.pragma('user_version'), [{ user_version: 3 }]);
});

eachBackend(
	'a WAL file database with synchronous=FULL keeps those settings',
	async (t, { open, tempDir }) => {
		const path = join(await tempDir(), 'wal.db');
		const db = open(path);
		t.deepEqual(db.pragma('journal_mode = WAL'), [{ journal_mode: 'wal' }]);
		db.pragma('synchronous = FULL');
		t.is(db.pragma('journal_mode', { simple: true }), 'wal');
		t.is(db.pragma('synchronous', { simple: true }), 2);
		db.exec('CREATE TABLE t (v INTEGER)');
		t.true(existsSync(`${path}-wal`));
		const reader = open(path);
		t.is(reader.pragma('journal_mode', { simple: true }), 'wal', 'WAL is a property of the file');
		t.deepEqual(reader.prepare('SELECT COUNT(*) AS n FROM t').get(), { n: 0 });
	},
);

eachBackend('the busy timeout defaults to 5000 ms and follows the option', (t, { open }) => {
	t.is(open().pragma('busy_timeout', { simple: true }), 5000);
	t.is(open(':memory:', { busyTimeoutMs: 0 }).pragma('busy_timeout', { simple: true }), 0);
	t.is(open(':memory:', { busyTimeoutMs: 250 }).pragma('busy_timeout', { simple: true }), 250);
});

eachBackend('data_version changes when another connection commits', async (t, { open, tempDir }) => {
	const path = join(await tempDir(), 'version.db');
	const watcher = open(path);
	const writer = open(path);
	writer.exec('CREATE TABLE t (v INTEGER)');
	const before = watcher.pragma('data_version', { simple: true });
	t.is(watcher.pragma('data_version', { simple: true }), before, 'stable while nothing changes');
	writer.prepare('INSERT INTO t (v) VALUES (?)').run(1);
	t.not(watcher.pragma('data_version', { simple: true }), before);
});

eachBackend(
	'a pragma that returns no row gives an empty list, or undefined with simple: true',
	(t, { open }) => {
		const db = open();
		t.deepEqual(db.pragma('synchronous = NORMAL'), []);
		t.is(db.pragma('synchronous = NORMAL', { simple: true }), undefined);
		t.is(db.pragma('synchronous', { simple: true }), 1);
	},
);
