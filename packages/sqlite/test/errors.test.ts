// Errors on every engine: one SqliteError with the same code, SQLite result code and message on both engines.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openSqlite, SqliteError } from '../src/index.js';
import { eachBackend } from './helpers/backends.js';

eachBackend(
	'a constraint violation is ERR_SQLITE_QUERY with SQLite’s code and message',
	(t, { open, backend }) => {
		const db = open();
		db.exec('CREATE TABLE t (name TEXT NOT NULL UNIQUE)');
		const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
		insert.run('a');
		const error = t.throws(() => insert.run('a'));
		t.true(error instanceof SqliteError);
		t.like(error, {
			name: 'SqliteError',
			code: 'ERR_SQLITE_QUERY',
			sqliteCode: 'SQLITE_CONSTRAINT',
			backend,
			message: 'UNIQUE constraint failed: t.name',
		});
		t.truthy(error.cause, 'the engine’s own error is kept');
	},
);

eachBackend('bad SQL fails when prepared, with SQLITE_ERROR', (t, { open }) => {
	const db = open();
	const syntax = t.throws(() => db.prepare('SELEC 1'));
	t.like(syntax, { code: 'ERR_SQLITE_QUERY', sqliteCode: 'SQLITE_ERROR' });
	t.regex(syntax?.message ?? '', /syntax error/);
	t.like(
		t.throws(() => db.exec('CREATE TABLE t (a); INSERT INTO nowhere VALUES (1)')),
		{ code: 'ERR_SQLITE_QUERY', message: 'no such table: nowhere' },
	);
});

eachBackend(
	'a database file in a missing directory fails to open with ERR_SQLITE_OPEN',
	async (t, { tempDir, backend }) => {
		const path = join(await tempDir(), 'missing', 'x.db');
		const error = t.throws(() => openSqlite(path, { backend }));
		t.like(error, { code: 'ERR_SQLITE_OPEN', backend });
		t.true(error?.message.startsWith(`cannot open the SQLite database ${path}: `));
	},
);

eachBackend(
	'a file that is not a database fails at the first query with SQLITE_NOTADB',
	async (t, { open, tempDir }) => {
		const path = join(await tempDir(), 'text.db');
		await writeFile(path, 'this is not an SQLite database, just text that is long enough '.repeat(20));
		const db = open(path);
		t.like(
			t.throws(() => db.pragma('user_version', { simple: true })),
			{ code: 'ERR_SQLITE_QUERY', sqliteCode: 'SQLITE_NOTADB', message: 'file is not a database' },
		);
	},
);

eachBackend(
	'a closed connection refuses work, says it is closed, and closes again harmlessly',
	(t, { open }) => {
		const db = open();
		const select = db.prepare('SELECT 1 AS one');
		t.true(db.open);
		db.close();
		t.false(db.open);
		t.false(db.inTransaction);
		t.notThrows(() => db.close());
		t.like(
			t.throws(() => select.get()),
			{ code: 'ERR_SQLITE_QUERY' },
		);
		t.like(
			t.throws(() => db.prepare('SELECT 2')),
			{ code: 'ERR_SQLITE_QUERY' },
		);
	},
);

eachBackend('a busy timeout that is not a whole number of milliseconds is refused', (t, { backend }) => {
	for (const busyTimeoutMs of [-1, 1.5, Number.NaN]) {
		const error = t.throws<SqliteError>(() => openSqlite(':memory:', { backend, busyTimeoutMs }));
		t.is(error?.code, 'ERR_SQLITE_OPEN');
		t.regex(error?.message ?? '', /^busyTimeoutMs must be a whole number/);
	}
});
