// node:sqlite before Node 22.16 cannot say whether a transaction is open: transactions then count their own
// BEGINs, and still nest, commit and roll back correctly (on each real engine, with its answer hidden).
import { chooseDriver } from '../src/backends.js';
import { SqliteConnection } from '../src/database.js';
import type { DriverConnection } from '../src/driver.js';
import type { SqliteBackendName, SqliteDatabase } from '../src/index.js';
import { eachBackend } from './helpers/backends.js';

/** A real connection whose engine does not report `inTransaction`. */
function withoutTransactionState(backend: SqliteBackendName): SqliteDatabase {
	const real = chooseDriver(backend).connect(':memory:', 0);
	const blind: DriverConnection = {
		get open() {
			return real.open;
		},
		inTransaction: undefined,
		prepare: (sql) => real.prepare(sql),
		exec: (sql) => real.exec(sql),
		close: () => real.close(),
	};
	return new SqliteConnection(blind, backend, ':memory:');
}

eachBackend(
	'without the engine’s transaction state, transactions still nest, commit and roll back',
	(t, { backend }) => {
		const db = withoutTransactionState(backend);
		t.teardown(() => db.close());
		db.exec('CREATE TABLE t (name TEXT NOT NULL UNIQUE)');
		const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
		const add = db.transaction((name: string) => {
			insert.run(name);
		});
		t.false(db.inTransaction);
		db.transaction(() => {
			t.true(db.inTransaction);
			add('a');
			t.throws(() => add('a'), { message: 'UNIQUE constraint failed: t.name' });
			add('b');
		}).immediate();
		t.false(db.inTransaction);
		t.throws(() =>
			db.transaction(() => {
				add('c');
				throw new Error('undo');
			})(),
		);
		t.false(db.inTransaction);
		add('d');
		t.deepEqual(db.prepare('SELECT name FROM t ORDER BY name').all(), [
			{ name: 'a' },
			{ name: 'b' },
			{ name: 'd' },
		]);
	},
);
