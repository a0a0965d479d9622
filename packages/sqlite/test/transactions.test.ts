// Transactions on every engine: commit, rollback with the body's own error, begin modes, nesting.
import { join } from 'node:path';
import type { SqliteDatabase } from '../src/index.js';
import { eachBackend } from './helpers/backends.js';

function names(db: SqliteDatabase): string[] {
	return db
		.prepare<[], { name: string }>('SELECT name FROM t ORDER BY rowid')
		.all()
		.map((row) => row.name);
}

function withTable(db: SqliteDatabase): SqliteDatabase {
	db.exec('CREATE TABLE t (name TEXT NOT NULL UNIQUE)');
	return db;
}

eachBackend('a transaction commits its writes and returns the body’s value', (t, { open }) => {
	const db = withTable(open());
	const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
	const addAll = db.transaction((...list: string[]) => {
		t.true(db.inTransaction);
		for (const name of list) insert.run(name);
		return list.length;
	});
	t.false(db.inTransaction);
	t.is(addAll('a', 'b'), 2);
	t.is(addAll.immediate('c'), 1);
	t.is(addAll.exclusive('d'), 1);
	t.is(addAll.deferred('e'), 1);
	t.false(db.inTransaction);
	t.deepEqual(names(db), ['a', 'b', 'c', 'd', 'e']);
});

eachBackend('a body that throws rolls everything back and its own error comes out', (t, { open }) => {
	const db = withTable(open());
	const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
	const mine = new Error('mine');
	t.is(
		t.throws(() =>
			db
				.transaction(() => {
					insert.run('kept?');
					throw mine;
				})
				.immediate(),
		),
		mine,
	);
	t.false(db.inTransaction);
	const duplicate = t.throws(() =>
		db.transaction(() => {
			insert.run('x');
			insert.run('x');
		})(),
	);
	t.like(duplicate, { code: 'ERR_SQLITE_QUERY', sqliteCode: 'SQLITE_CONSTRAINT' });
	t.deepEqual(names(db), []);
});

eachBackend('a nested transaction is a savepoint: its failure undoes only its part', (t, { open }) => {
	const db = withTable(open());
	const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
	const inner = db.transaction((name: string) => {
		insert.run(name);
		if (name === 'bad') throw new Error('inner failed');
	});
	db.transaction(() => {
		inner('good');
		t.throws(() => inner('bad'), { message: 'inner failed' });
		t.true(db.inTransaction, 'the outer transaction is still open');
		insert.run('after');
	}).immediate();
	t.deepEqual(names(db), ['good', 'after']);
	t.throws(() =>
		db.transaction(() => {
			inner('lost');
			throw new Error('outer failed');
		})(),
	);
	t.deepEqual(names(db), ['good', 'after'], 'an outer failure undoes the committed inner part too');
});

eachBackend('a body returning a promise is rolled back with ERR_SQLITE_TRANSACTION', (t, { open }) => {
	const db = withTable(open());
	const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
	const error = t.throws(() =>
		db.transaction(() => {
			insert.run('async');
			return Promise.resolve();
		})(),
	);
	t.like(error, { name: 'SqliteError', code: 'ERR_SQLITE_TRANSACTION' });
	t.false(db.inTransaction);
	t.deepEqual(names(db), []);
});

eachBackend(
	'immediate takes the write lock at once; another writer is told SQLITE_BUSY',
	async (t, context) => {
		const path = join(await context.tempDir(), 'busy.db');
		const one = withTable(context.open(path));
		one.pragma('journal_mode = WAL');
		const two = context.open(path, { busyTimeoutMs: 0 });
		const twoWrites = two.transaction(() => two.prepare('INSERT INTO t (name) VALUES (?)').run('two'));
		one
			.transaction(() => {
				const busy = t.throws(() => twoWrites.immediate());
				t.like(busy, { code: 'ERR_SQLITE_QUERY', sqliteCode: 'SQLITE_BUSY', message: 'database is locked' });
				t.false(two.inTransaction);
				t.deepEqual(names(two), [], 'readers still read in WAL mode');
			})
			.immediate();
		twoWrites.immediate();
		t.deepEqual(names(one), ['two']);
	},
);
