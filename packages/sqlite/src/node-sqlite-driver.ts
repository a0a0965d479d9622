/**
 * The `node:sqlite` engine (internal): built into Node 22.13+ and 24, absent from Node 20. Our Node types
 * are Node 20's, so the part of its API used here is declared below. Differences from better-sqlite3 are
 * smoothed over: bare named parameters are allowed explicitly, rows become plain objects (node:sqlite's
 * have a null prototype), `changes` is a number, and the busy timeout is a pragma (works on every version).
 */
import type { Driver, DriverConnection, DriverStatement } from './driver.js';
import { SqliteError } from './errors.js';
import type { SqliteRunResult } from './types.js';

/** `StatementSync`, as far as used. */
interface StatementSync {
	run(...args: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
	get(...args: unknown[]): object | undefined;
	all(...args: unknown[]): object[];
	setAllowBareNamedParameters(enabled: boolean): void;
}

/** `DatabaseSync`, as far as used. `isTransaction` exists from Node 22.16 and 24.0. */
interface DatabaseSync {
	readonly isOpen: boolean;
	readonly isTransaction?: boolean;
	prepare(sql: string): StatementSync;
	exec(sql: string): void;
	close(): void;
}

/** The `node:sqlite` module, as far as used. */
interface NodeSqliteModule {
	readonly DatabaseSync: new (path: string) => DatabaseSync;
}

class NodeStatement implements DriverStatement {
	readonly #statement: StatementSync;

	constructor(statement: StatementSync) {
		statement.setAllowBareNamedParameters(true);
		this.#statement = statement;
	}

	run(args: readonly unknown[]): SqliteRunResult {
		const result = this.#statement.run(...args);
		return { changes: Number(result.changes), lastInsertRowid: result.lastInsertRowid };
	}

	get(args: readonly unknown[]): unknown {
		const row = this.#statement.get(...args);
		return row === undefined ? undefined : { ...row };
	}

	all(args: readonly unknown[]): unknown[] {
		return this.#statement.all(...args).map((row) => ({ ...row }));
	}
}

class NodeConnection implements DriverConnection {
	readonly #db: DatabaseSync;

	constructor(db: DatabaseSync) {
		this.#db = db;
	}

	get open(): boolean {
		return this.#db.isOpen;
	}

	get inTransaction(): boolean | undefined {
		return this.#db.isTransaction;
	}

	prepare(sql: string): DriverStatement {
		return new NodeStatement(this.#db.prepare(sql));
	}

	exec(sql: string): void {
		this.#db.exec(sql);
	}

	close(): void {
		if (this.#db.isOpen) this.#db.close();
	}
}

/** Loads `node:sqlite`; throws `ERR_SQLITE_UNAVAILABLE` when this Node has none. */
export function loadNodeSqlite(): Driver {
	const sqlite = process.getBuiltinModule('node:sqlite') as NodeSqliteModule | undefined;
	if (sqlite === undefined) {
		throw new SqliteError(
			'ERR_SQLITE_UNAVAILABLE',
			`Node ${process.version} has no built-in node:sqlite (it needs Node 22.13 or later)`,
			{ backend: 'node:sqlite' },
		);
	}
	const { DatabaseSync } = sqlite;
	return {
		name: 'node:sqlite',
		connect: (path, busyTimeoutMs) => {
			const db = new DatabaseSync(path);
			try {
				db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
			} catch (error) {
				db.close();
				throw error;
			}
			return new NodeConnection(db);
		},
	};
}
