/**
 * The one error class of `@homeserver/sqlite`, in the workspace's one convention (docs/architecture.md, "Errors"):
 * the catalogue {@link SQLITE_ERRORS} is the single source of the codes (documented in `docs/errors.md`, kept in
 * step by a test), {@link isSqliteError} the typed guard. Both engines' errors are mapped to it, so callers see the
 * same `code`, the same SQLite result code name and the same message on better-sqlite3 and on `node:sqlite`; the
 * engine's own error stays on `cause`.
 */
import type { SqliteBackendName } from './types.js';

/** Every code a {@link SqliteError} can carry, with its meaning. */
export const SQLITE_ERRORS = {
	ERR_SQLITE_UNAVAILABLE: { meaning: 'No engine loads in this Node; the message names each one and why.' },
	ERR_SQLITE_OPEN: {
		meaning: 'The database file cannot be opened (missing directory, permissions, options).',
	},
	ERR_SQLITE_QUERY: {
		meaning: 'A statement, pragma or transaction step failed (busy, constraint, syntax...).',
	},
	ERR_SQLITE_TRANSACTION: {
		meaning: 'A transaction body returned a promise; the transaction was rolled back.',
	},
} as const satisfies Readonly<Record<string, { readonly meaning: string }>>;

/** A stable code of {@link SqliteError}. */
export type SqliteErrorCode = keyof typeof SQLITE_ERRORS;

/** Why one engine could not be used. */
export interface SqliteBackendFailure {
	readonly backend: SqliteBackendName;
	/** The loader's error on one line, e.g. better-sqlite3's `NODE_MODULE_VERSION` mismatch. */
	readonly reason: string;
}

/** What a {@link SqliteError} is built from. */
export interface SqliteErrorOptions {
	readonly cause?: unknown;
	/** The SQLite primary result code name, e.g. `SQLITE_BUSY`, when SQLite itself reported the error. */
	readonly sqliteCode?: string | undefined;
	/** The engine that failed, when one did. */
	readonly backend?: SqliteBackendName | undefined;
	/** For `ERR_SQLITE_UNAVAILABLE`: every engine tried and why it failed. */
	readonly failures?: readonly SqliteBackendFailure[];
}

/** Thrown by every function and method of `@homeserver/sqlite`. */
export class SqliteError extends Error {
	/** Stable code for programs. */
	readonly code: SqliteErrorCode;
	/** SQLite's primary result code name (`SQLITE_BUSY`, `SQLITE_CONSTRAINT`...), or undefined. */
	readonly sqliteCode: string | undefined;
	/** The engine that failed, or undefined (`ERR_SQLITE_UNAVAILABLE`). */
	readonly backend: SqliteBackendName | undefined;
	/** For `ERR_SQLITE_UNAVAILABLE`: every engine tried and why it failed; empty otherwise. */
	readonly failures: readonly SqliteBackendFailure[];

	constructor(code: SqliteErrorCode, message: string, options: SqliteErrorOptions = {}) {
		super(message, options.cause === undefined ? {} : { cause: options.cause });
		this.name = new.target.name;
		this.code = code;
		this.sqliteCode = options.sqliteCode;
		this.backend = options.backend;
		this.failures = Object.freeze([...(options.failures ?? [])]);
	}
}

/** True when `error` is a {@link SqliteError}, with the given code when one is given. */
export function isSqliteError(error: unknown, code?: SqliteErrorCode): error is SqliteError {
	return error instanceof SqliteError && (code === undefined || error.code === code);
}

/** SQLite's primary result codes by number (https://sqlite.org/rescode.html). */
const PRIMARY_CODES = [
	'SQLITE_OK',
	'SQLITE_ERROR',
	'SQLITE_INTERNAL',
	'SQLITE_PERM',
	'SQLITE_ABORT',
	'SQLITE_BUSY',
	'SQLITE_LOCKED',
	'SQLITE_NOMEM',
	'SQLITE_READONLY',
	'SQLITE_INTERRUPT',
	'SQLITE_IOERR',
	'SQLITE_CORRUPT',
	'SQLITE_NOTFOUND',
	'SQLITE_FULL',
	'SQLITE_CANTOPEN',
	'SQLITE_PROTOCOL',
	'SQLITE_EMPTY',
	'SQLITE_SCHEMA',
	'SQLITE_TOOBIG',
	'SQLITE_CONSTRAINT',
	'SQLITE_MISMATCH',
	'SQLITE_MISUSE',
	'SQLITE_NOLFS',
	'SQLITE_AUTH',
	'SQLITE_FORMAT',
	'SQLITE_RANGE',
	'SQLITE_NOTADB',
	'SQLITE_NOTICE',
	'SQLITE_WARNING',
] as const;

/**
 * The primary result code name of an engine error: better-sqlite3 gives an (extended) name in `code`
 * (`SQLITE_CONSTRAINT_UNIQUE`), `node:sqlite` the extended number in `errcode` (2067). Undefined when the
 * error did not come from SQLite (a wrong parameter type, a closed connection).
 */
export function sqliteCodeOf(error: unknown): string | undefined {
	if (typeof error !== 'object' || error === null) return undefined;
	const { code, errcode } = error as { code?: unknown; errcode?: unknown };
	if (typeof errcode === 'number') return PRIMARY_CODES[errcode & 0xff];
	if (typeof code === 'string') return /^SQLITE_[A-Z]+/.exec(code)?.[0];
	return undefined;
}

/** Wraps an engine error thrown while running SQL; a {@link SqliteError} passes through unchanged. */
export function queryError(error: unknown, backend: SqliteBackendName): SqliteError {
	if (error instanceof SqliteError) return error;
	const message = error instanceof Error ? error.message : String(error);
	return new SqliteError('ERR_SQLITE_QUERY', message, {
		cause: error,
		sqliteCode: sqliteCodeOf(error),
		backend,
	});
}
