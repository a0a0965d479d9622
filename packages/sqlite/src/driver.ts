/**
 * The few operations each engine adapter provides (internal). Everything above them (pragmas,
 * transactions, error mapping) is written once in `database.ts`, so both engines behave the same.
 */
import type { SqliteBackendName, SqliteRunResult } from './types.js';

/** A compiled statement of one engine. Arguments are passed through as the caller gave them. */
export interface DriverStatement {
	run(args: readonly unknown[]): SqliteRunResult;
	/** The first row as a plain object, or undefined. */
	get(args: readonly unknown[]): unknown;
	/** Every row as a plain object. */
	all(args: readonly unknown[]): unknown[];
}

/** One open connection of one engine. */
export interface DriverConnection {
	readonly open: boolean;
	/** Whether a transaction is open; undefined when the engine cannot tell (node:sqlite before 22.16). */
	readonly inTransaction: boolean | undefined;
	prepare(sql: string): DriverStatement;
	exec(sql: string): void;
	close(): void;
}

/** A loaded engine: opens connections. Loading it proved its native part works in this Node. */
export interface Driver {
	readonly name: SqliteBackendName;
	/** Opens `path` with the busy timeout; throws the engine's error when the file cannot be opened. */
	connect(path: string, busyTimeoutMs: number): DriverConnection;
}
