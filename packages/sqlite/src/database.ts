/**
 * {@link SqliteDatabase} on one engine connection (internal): statements, pragmas and transactions written
 * once, every engine error mapped to {@link SqliteError} with the same code and message on both engines.
 */
import type { DriverConnection, DriverStatement } from './driver.js';
import { queryError } from './errors.js';
import { createTransaction, TransactionControl } from './transaction.js';
import type {
	SqliteArgs,
	SqliteBackendName,
	SqliteDatabase,
	SqliteParams,
	SqlitePragmaOptions,
	SqliteRow,
	SqliteRunResult,
	SqliteStatement,
	SqliteTransaction,
	SqliteValue,
} from './types.js';

class Statement<P extends SqliteParams<P>, R> implements SqliteStatement<P, R> {
	readonly #statement: DriverStatement;
	readonly #backend: SqliteBackendName;

	constructor(statement: DriverStatement, backend: SqliteBackendName) {
		this.#statement = statement;
		this.#backend = backend;
	}

	run(...params: SqliteArgs<P>): SqliteRunResult {
		try {
			return this.#statement.run(params);
		} catch (error) {
			throw queryError(error, this.#backend);
		}
	}

	get(...params: SqliteArgs<P>): R | undefined {
		try {
			return this.#statement.get(params) as R | undefined;
		} catch (error) {
			throw queryError(error, this.#backend);
		}
	}

	all(...params: SqliteArgs<P>): R[] {
		try {
			return this.#statement.all(params) as R[];
		} catch (error) {
			throw queryError(error, this.#backend);
		}
	}
}

/** One open connection; made by {@link openSqlite}. */
export class SqliteConnection implements SqliteDatabase {
	readonly backend: SqliteBackendName;
	readonly path: string;
	readonly #connection: DriverConnection;
	readonly #transactions: TransactionControl;

	constructor(connection: DriverConnection, backend: SqliteBackendName, path: string) {
		this.#connection = connection;
		this.backend = backend;
		this.path = path;
		this.#transactions = new TransactionControl(connection, backend);
	}

	get open(): boolean {
		return this.#connection.open;
	}

	get inTransaction(): boolean {
		return this.#connection.open && this.#transactions.active;
	}

	prepare<P extends SqliteParams<P> = SqliteValue[], R = unknown>(sql: string): SqliteStatement<P, R> {
		try {
			return new Statement<P, R>(this.#connection.prepare(sql), this.backend);
		} catch (error) {
			throw queryError(error, this.backend);
		}
	}

	exec(sql: string): void {
		try {
			this.#connection.exec(sql);
		} catch (error) {
			throw queryError(error, this.backend);
		}
	}

	pragma(source: string, options: SqlitePragmaOptions & { readonly simple: true }): SqliteValue | undefined;
	pragma(source: string, options?: SqlitePragmaOptions): SqliteRow[];
	pragma(source: string, options: SqlitePragmaOptions = {}): SqliteValue | undefined | SqliteRow[] {
		const rows = this.prepare<[], SqliteRow>(`PRAGMA ${source}`).all();
		if (options.simple !== true) return rows;
		const first = rows[0];
		return first === undefined ? undefined : Object.values(first)[0];
	}

	transaction<A extends unknown[], R>(body: (...args: A) => R): SqliteTransaction<A, R> {
		return createTransaction(this.#transactions, body);
	}

	close(): void {
		if (!this.#connection.open) return;
		try {
			this.#connection.close();
		} catch (error) {
			throw queryError(error, this.backend);
		}
	}
}
