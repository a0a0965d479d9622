// Statements on every engine: parameters, results, rows and values come back the same on both.
import type { SqliteValue } from '../src/index.js';
import { eachBackend } from './helpers/backends.js';

const SCHEMA = `
	CREATE TABLE items (seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, size INTEGER, data BLOB);
	CREATE TABLE tags (item INTEGER NOT NULL REFERENCES items (seq), tag TEXT NOT NULL);
`;

eachBackend('run reports the rows changed and the last inserted rowid', (t, { open }) => {
	const db = open();
	db.exec(SCHEMA);
	const insert = db.prepare('INSERT INTO items (name, size) VALUES (?, ?)');
	t.deepEqual(insert.run('a', 1), { changes: 1, lastInsertRowid: 1 });
	t.deepEqual(insert.run('b', 2), { changes: 1, lastInsertRowid: 2 });
	const update = db.prepare('UPDATE items SET size = size + 10 WHERE size < ?').run(100);
	t.is(update.changes, 2);
	t.is(typeof update.changes, 'number');
	t.is(db.prepare('DELETE FROM items WHERE name = ?').run('nobody').changes, 0);
});

eachBackend('get returns the first row as a plain object, or undefined', (t, { open }) => {
	const db = open();
	db.exec(SCHEMA);
	db.prepare('INSERT INTO items (name, size) VALUES (?, ?)').run('a', 7);
	const row = db.prepare('SELECT seq, name, size, data FROM items WHERE name = ?').get('a');
	t.deepEqual(row, { seq: 1, name: 'a', size: 7, data: null });
	t.is(Object.getPrototypeOf(row), Object.prototype);
	t.is(db.prepare('SELECT * FROM items WHERE name = ?').get('missing'), undefined);
});

eachBackend('all returns every row in order, and an empty list when none match', (t, { open }) => {
	const db = open();
	db.exec(SCHEMA);
	const insert = db.prepare('INSERT INTO items (name) VALUES (?)');
	for (const name of ['c', 'a', 'b']) insert.run(name);
	const select = db.prepare<[number], { name: string }>('SELECT name FROM items ORDER BY name LIMIT ?');
	t.deepEqual(select.all(2), [{ name: 'a' }, { name: 'b' }]);
	t.true(select.all(5).every((row) => Object.getPrototypeOf(row) === Object.prototype));
	t.deepEqual(db.prepare('SELECT name FROM items WHERE seq > ?').all(99), []);
});

eachBackend('named parameters bind from keys without their @, : or $ prefix', (t, { open }) => {
	const db = open();
	db.exec(SCHEMA);
	interface Named {
		name: string;
		size: number | null;
	}
	db.prepare<Named>('INSERT INTO items (name, size) VALUES (@name, @size)').run({ name: 'at', size: 1 });
	db.prepare<Named>('INSERT INTO items (name, size) VALUES (:name, :size)').run({
		name: 'colon',
		size: null,
	});
	db.prepare<Named>('INSERT INTO items (name, size) VALUES ($name, $size)').run({ name: 'dollar', size: 3 });
	t.deepEqual(db.prepare('SELECT name, size FROM items ORDER BY seq').all(), [
		{ name: 'at', size: 1 },
		{ name: 'colon', size: null },
		{ name: 'dollar', size: 3 },
	]);
	const byName = db.prepare<{ name: string }, { size: number }>('SELECT size FROM items WHERE name = @name');
	t.deepEqual(byName.get({ name: 'dollar' }), { size: 3 });
});

eachBackend('values round-trip: text, integers, reals, bigints, null and blobs', (t, { open }) => {
	const db = open();
	const echo = db.prepare<[SqliteValue], { v: SqliteValue }>('SELECT ? AS v');
	t.deepEqual(echo.get('é \u{1F600}'), { v: 'é \u{1F600}' });
	t.deepEqual(echo.get(Number.MAX_SAFE_INTEGER), { v: Number.MAX_SAFE_INTEGER });
	t.deepEqual(echo.get(-1.5), { v: -1.5 });
	t.deepEqual(echo.get(42n), { v: 42 });
	t.deepEqual(echo.get(null), { v: null });
	const blob = echo.get(new Uint8Array([0, 1, 255]))?.v;
	t.true(blob instanceof Uint8Array);
	t.deepEqual([...(blob as Uint8Array)], [0, 1, 255]);
	t.deepEqual(db.prepare('SELECT COUNT(*) AS n FROM (SELECT 1 UNION SELECT 2)').get(), { n: 2 });
});

eachBackend('exec runs a script of several statements', (t, { open }) => {
	const db = open();
	db.exec(`${SCHEMA} INSERT INTO items (name) VALUES ('x'); INSERT INTO items (name) VALUES ('y');`);
	t.deepEqual(db.prepare('SELECT COUNT(*) AS n FROM items').get(), { n: 2 });
});

eachBackend('a prepared statement runs many times with different values', (t, { open }) => {
	const db = open();
	db.exec(SCHEMA);
	const insert = db.prepare('INSERT INTO items (name, size) VALUES (?, ?)');
	for (let index = 0; index < 50; index += 1) insert.run(`n${index}`, index);
	t.deepEqual(db.prepare('SELECT SUM(size) AS total, MAX(seq) AS last FROM items').get(), {
		total: 1225,
		last: 50,
	});
});

eachBackend('foreign keys are enforced and double-quoted strings are identifiers', (t, { open }) => {
	const db = open();
	db.exec(SCHEMA);
	const error = t.throws(() => db.prepare('INSERT INTO tags (item, tag) VALUES (?, ?)').run(99, 'x'));
	t.like(error, { code: 'ERR_SQLITE_QUERY', sqliteCode: 'SQLITE_CONSTRAINT' });
	t.throws(() => db.prepare('SELECT "not a column" FROM items').all(), {
		message: /no such column/,
	});
});
