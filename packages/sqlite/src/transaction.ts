/**
 * Transactions, written once for both engines (internal): `BEGIN <mode>` … `COMMIT`, `ROLLBACK` when the
 * body throws, and a savepoint when a transaction is already open, so nesting undoes only the inner part.
 * This is better-sqlite3's own behaviour, reproduced so that `node:sqlite` gives the same results.
 */
import type { DriverConnection, DriverStatement } from './driver.js';
import { queryError, SqliteError } from './errors.js';
import type { SqliteBackendName, SqliteTransaction } from './types.js';

/** The three ways to begin a transaction. */
export type BeginMode = 'DEFERRED' | 'IMMEDIATE' | 'EXCLUSIVE';

const SAVEPOINT = 'homeserver_sqlite_nested';

function isThenable(value: unknown): boolean {
	return (
		(typeof value === 'object' || typeof value === 'function') &&
		value !== null &&
		typeof (value as { then?: unknown }).then === 'function'
	);
}

/** Begins, commits and rolls back transactions on one connection. */
export class TransactionControl {
	readonly #connection: DriverConnection;
	readonly #backend: SqliteBackendName;
	readonly #steps = new Map<string, DriverStatement>();
	/** Transactions and savepoints opened by {@link TransactionControl.run} and not yet ended. */
	#depth = 0;

	constructor(connection: DriverConnection, backend: SqliteBackendName) {
		this.#connection = connection;
		this.#backend = backend;
	}

	/** Whether a transaction is open: the engine's answer, or our own count when it cannot tell. */
	get active(): boolean {
		return this.#connection.inTransaction ?? this.#depth > 0;
	}

	/** Runs `body(...args)` in a transaction (a savepoint when one is open already). */
	run<A extends unknown[], R>(mode: BeginMode, body: (...args: A) => R, args: A): R {
		const nested = this.active;
		this.#step(nested ? `SAVEPOINT ${SAVEPOINT}` : `BEGIN ${mode}`);
		this.#depth += 1;
		try {
			let result: R;
			try {
				result = body(...args);
				if (isThenable(result)) {
					throw new SqliteError(
						'ERR_SQLITE_TRANSACTION',
						'a transaction body must be synchronous, but it returned a promise (rolled back)',
						{ backend: this.#backend },
					);
				}
			} catch (error) {
				this.#undo(nested);
				throw error;
			}
			try {
				this.#step(nested ? `RELEASE ${SAVEPOINT}` : 'COMMIT');
			} catch (error) {
				this.#undo(nested);
				throw error;
			}
			return result;
		} finally {
			this.#depth -= 1;
		}
	}

	/** Undoes the current transaction or savepoint; the caller then throws the error that caused it. */
	#undo(nested: boolean): void {
		// SQLite may have rolled the whole transaction back by itself already (SQLITE_FULL, a failed COMMIT...).
		if (this.#connection.inTransaction === false) return;
		try {
			if (nested) {
				this.#step(`ROLLBACK TO ${SAVEPOINT}`);
				this.#step(`RELEASE ${SAVEPOINT}`);
			} else {
				this.#step('ROLLBACK');
			}
		} catch {
			// Only reachable when the engine cannot say whether a transaction is open and SQLite ended it
			// already ("no transaction is active"), or the connection is gone: the body's error is the one to report.
		}
	}

	#step(sql: string): void {
		try {
			let statement = this.#steps.get(sql);
			if (statement === undefined) {
				statement = this.#connection.prepare(sql);
				this.#steps.set(sql, statement);
			}
			statement.run([]);
		} catch (error) {
			throw queryError(error, this.#backend);
		}
	}
}

/** Builds the callable of {@link SqliteDatabase.transaction} with its three begin modes. */
export function createTransaction<A extends unknown[], R>(
	control: TransactionControl,
	body: (...args: A) => R,
): SqliteTransaction<A, R> {
	const deferred = (...args: A): R => control.run('DEFERRED', body, args);
	const immediate = (...args: A): R => control.run('IMMEDIATE', body, args);
	const exclusive = (...args: A): R => control.run('EXCLUSIVE', body, args);
	return Object.assign((...args: A): R => deferred(...args), { deferred, immediate, exclusive });
}
