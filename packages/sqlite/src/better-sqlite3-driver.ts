/**
 * The better-sqlite3 engine (internal): a native addon, built for one Node ABI only (the machine's Node 20
 * here), so it is loaded lazily and proven by opening an in-memory database before it is chosen.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { Driver, DriverConnection, DriverStatement } from './driver.js';
import type { SqliteRunResult } from './types.js';

type Database = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement<unknown[], unknown>;

class BetterStatement implements DriverStatement {
	readonly #statement: Statement;

	constructor(statement: Statement) {
		this.#statement = statement;
	}

	run(args: readonly unknown[]): SqliteRunResult {
		return this.#statement.run(...args);
	}

	get(args: readonly unknown[]): unknown {
		// better-sqlite3 refuses get/all on statements without rows; node:sqlite runs them and returns none.
		if (!this.#statement.reader) {
			this.#statement.run(...args);
			return undefined;
		}
		return this.#statement.get(...args);
	}

	all(args: readonly unknown[]): unknown[] {
		if (!this.#statement.reader) {
			this.#statement.run(...args);
			return [];
		}
		return this.#statement.all(...args);
	}
}

class BetterConnection implements DriverConnection {
	readonly #db: Database;

	constructor(db: Database) {
		this.#db = db;
	}

	get open(): boolean {
		return this.#db.open;
	}

	get inTransaction(): boolean {
		return this.#db.inTransaction;
	}

	prepare(sql: string): DriverStatement {
		return new BetterStatement(this.#db.prepare<unknown[], unknown>(sql));
	}

	exec(sql: string): void {
		this.#db.exec(sql);
	}

	close(): void {
		this.#db.close();
	}
}

/** Loads better-sqlite3 and its addon; throws the loader's error when either does not load in this Node. */
export function loadBetterSqlite3(): Driver {
	const require = createRequire(import.meta.url);
	const Database = require('better-sqlite3') as typeof BetterSqlite3;
	// The addon itself is loaded by the first constructor call: prove it before choosing this engine.
	new Database(':memory:').close();
	return {
		name: 'better-sqlite3',
		connect: (path, busyTimeoutMs) => new BetterConnection(new Database(path, { timeout: busyTimeoutMs })),
	};
}
