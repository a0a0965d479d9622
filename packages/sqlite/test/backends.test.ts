// Choosing the engine: better-sqlite3 first when its addon loads, node:sqlite otherwise, and one clear
// ERR_SQLITE_UNAVAILABLE naming every engine and why when none works.
import test from 'ava';
import { chooseDriver } from '../src/backends.js';
import type { BackendLoader, Outcome } from '../src/backends.js';
import type { Driver } from '../src/driver.js';
import { openSqlite, SqliteError, sqliteBackends } from '../src/index.js';
import type { SqliteBackendName } from '../src/index.js';
import { AVAILABLE } from './helpers/backends.js';

test('at least one engine works in this Node, and the suites run on each one that does', (t) => {
	t.log(`Node ${process.version}: ${JSON.stringify(sqliteBackends())}`);
	t.true(AVAILABLE.length > 0);
	t.deepEqual(
		sqliteBackends().map((status) => status.name),
		['better-sqlite3', 'node:sqlite'],
	);
});

test('node:sqlite is available exactly when this Node has it built in', (t) => {
	const builtIn = process.getBuiltinModule('node:sqlite') !== undefined;
	t.is(AVAILABLE.includes('node:sqlite'), builtIn);
});

test('openSqlite without a backend uses the first engine that works, better-sqlite3 when it loads', (t) => {
	const db = openSqlite(':memory:');
	t.teardown(() => db.close());
	t.is(AVAILABLE[0], db.backend);
	t.is(db.path, ':memory:');
});

for (const status of sqliteBackends()) {
	if (status.available) continue;
	test(`asking for ${status.name}, which does not load here, is ERR_SQLITE_UNAVAILABLE with the reason`, (t) => {
		const error = t.throws(() => openSqlite(':memory:', { backend: status.name }));
		t.true(error instanceof SqliteError);
		t.like(error, {
			code: 'ERR_SQLITE_UNAVAILABLE',
			failures: [{ backend: status.name, reason: status.reason }],
		});
		t.true(error?.message.includes(`${status.name}: ${status.reason}`));
	});
}

function failing(name: SqliteBackendName, message: string, calls: SqliteBackendName[]): BackendLoader {
	return {
		name,
		load: () => {
			calls.push(name);
			throw new Error(message);
		},
	};
}

test('when no engine loads, the error names each engine and why, on one line each', (t) => {
	const calls: SqliteBackendName[] = [];
	const loaders = [
		failing('better-sqlite3', "The module 'x.node'\nwas compiled against NODE_MODULE_VERSION 115.", calls),
		failing('node:sqlite', 'Node v20.20.2 has no built-in node:sqlite', calls),
	];
	const error = t.throws(() => chooseDriver(undefined, loaders, new Map<SqliteBackendName, Outcome>()));
	t.true(error instanceof SqliteError);
	t.like(error, {
		code: 'ERR_SQLITE_UNAVAILABLE',
		failures: [
			{
				backend: 'better-sqlite3',
				reason: "The module 'x.node' was compiled against NODE_MODULE_VERSION 115.",
			},
			{ backend: 'node:sqlite', reason: 'Node v20.20.2 has no built-in node:sqlite' },
		],
	});
	t.regex(
		error?.message ?? '',
		/^no SQLite engine works in Node v[\d.]+ \(better-sqlite3: The module 'x\.node' was compiled against NODE_MODULE_VERSION 115\.; node:sqlite: Node v20\.20\.2 has no built-in node:sqlite\)$/,
	);
	t.deepEqual(calls, ['better-sqlite3', 'node:sqlite']);
});

test('each engine is loaded once: a failure is remembered and the first that works wins', (t) => {
	const calls: SqliteBackendName[] = [];
	const driver: Driver = {
		name: 'node:sqlite',
		connect: () => {
			throw new Error('not connected in this test');
		},
	};
	const loaders: BackendLoader[] = [
		failing('better-sqlite3', 'no addon', calls),
		{
			name: 'node:sqlite',
			load: () => {
				calls.push('node:sqlite');
				return driver;
			},
		},
	];
	const cache = new Map<SqliteBackendName, Outcome>();
	t.is(chooseDriver(undefined, loaders, cache), driver);
	t.is(chooseDriver(undefined, loaders, cache), driver);
	t.is(chooseDriver('node:sqlite', loaders, cache), driver);
	t.like(
		t.throws(() => chooseDriver('better-sqlite3', loaders, cache)),
		{ failures: [{ backend: 'better-sqlite3', reason: 'no addon' }] },
	);
	t.deepEqual(calls, ['better-sqlite3', 'node:sqlite']);
});
