/**
 * The synchronous SQLite interface the apps program against, whichever engine is underneath. It is the
 * part of better-sqlite3's API the apps use, with the same names and the same results, so their SQL and
 * their code behave the same on better-sqlite3 (Node 20) and on `node:sqlite` (Node 22.13+ and 24).
 */

/** The engines behind {@link SqliteDatabase}, in the order {@link openSqlite} tries them. */
export type SqliteBackendName = 'better-sqlite3' | 'node:sqlite';

/** A value SQLite stores and returns: NULL, INTEGER or REAL (number; bigint to bind), TEXT, BLOB. */
export type SqliteValue = null | number | bigint | string | Uint8Array;

/**
 * What a statement binds: positional values (`?`), or one object whose keys are the names of
 * `@name`, `:name` or `$name` parameters without their prefix (`{ origin: 'a' }` for `@origin`).
 * The self-reference lets a row interface (no index signature) serve as named parameters.
 */
export type SqliteParams<P> = readonly SqliteValue[] | { readonly [K in keyof P]: SqliteValue };

/** The argument list of `run`/`get`/`all` for parameters `P`: the values themselves, or the one object. */
export type SqliteArgs<P> = P extends readonly unknown[] ? P : [P];

/** What `run` reports: the rows changed and the rowid of the last row inserted. */
export interface SqliteRunResult {
	/** Rows inserted, updated or deleted by the statement (not counting triggers). */
	readonly changes: number;
	/** The rowid of the most recent successful INSERT on this connection. */
	readonly lastInsertRowid: number | bigint;
}

/**
 * A prepared statement, compiled once and run many times. Rows are plain objects keyed by column name;
 * integers are numbers (an integer beyond `Number.MAX_SAFE_INTEGER` is an error on `node:sqlite`).
 */
export interface SqliteStatement<P extends SqliteParams<P> = SqliteValue[], R = unknown> {
	/** Runs the statement; for statements that change rows. */
	run(...params: SqliteArgs<P>): SqliteRunResult;
	/** The first row, or undefined when there is none. */
	get(...params: SqliteArgs<P>): R | undefined;
	/** Every row, in order. */
	all(...params: SqliteArgs<P>): R[];
}

/** A function that runs its body inside one SQLite transaction (see {@link SqliteDatabase.transaction}). */
export interface SqliteTransaction<A extends unknown[], R> {
	/** Runs the body in `BEGIN` (deferred: locks are taken by the first read or write). */
	(...args: A): R;
	/** Same as calling the function: `BEGIN DEFERRED`. */
	readonly deferred: (...args: A) => R;
	/** `BEGIN IMMEDIATE`: takes the write lock at once (waiting up to the busy timeout), for writers. */
	readonly immediate: (...args: A) => R;
	/** `BEGIN EXCLUSIVE`: no other connection reads or writes until the end (in WAL mode, as immediate). */
	readonly exclusive: (...args: A) => R;
}

/** Options of {@link SqliteDatabase.pragma}. */
export interface SqlitePragmaOptions {
	/** Return only the first column of the first row (`undefined` when the pragma returns no row). */
	readonly simple?: boolean;
}

/** A row as returned by a pragma. */
export type SqliteRow = Readonly<Record<string, SqliteValue>>;

/** One open SQLite connection. Every method is synchronous; errors are {@link SqliteError}s. */
export interface SqliteDatabase {
	/** The engine in use (for logs and diagnostics). */
	readonly backend: SqliteBackendName;
	/** The path the database was opened with (`:memory:` for an in-memory database). */
	readonly path: string;
	/** False once {@link SqliteDatabase.close} has run. */
	readonly open: boolean;
	/** True while a transaction is open on this connection. */
	readonly inTransaction: boolean;
	/** Compiles one SQL statement. `P` types its parameters, `R` its rows (not checked at run time). */
	prepare<P extends SqliteParams<P> = SqliteValue[], R = unknown>(sql: string): SqliteStatement<P, R>;
	/** Runs one or more SQL statements without parameters (schema scripts). */
	exec(sql: string): void;
	/** Runs `PRAGMA <source>` (`'journal_mode = WAL'`, `'user_version'`) and returns its rows. */
	pragma(source: string, options: SqlitePragmaOptions & { readonly simple: true }): SqliteValue | undefined;
	/** Runs `PRAGMA <source>` and returns its rows. */
	pragma(source: string, options?: SqlitePragmaOptions): SqliteRow[];
	/**
	 * Wraps `body` so that each call runs it inside one transaction: `BEGIN`, the body, `COMMIT`; if the body
	 * throws, `ROLLBACK` and the same error is thrown again. Called inside another transaction, it uses a
	 * savepoint, so an inner failure undoes only the inner part. The body must be synchronous: a body that
	 * returns a promise is rolled back and fails with `ERR_SQLITE_TRANSACTION`.
	 */
	transaction<A extends unknown[], R>(body: (...args: A) => R): SqliteTransaction<A, R>;
	/** Closes the connection (releasing its locks). Closing twice is harmless. */
	close(): void;
}

/** How to open a database. */
export interface OpenSqliteOptions {
	/**
	 * Use this engine and no other (tests and diagnostics). By default the first that loads is used:
	 * better-sqlite3, then `node:sqlite`. Use one engine per process for a given file: two SQLite libraries
	 * in one process do not see each other's POSIX locks.
	 */
	readonly backend?: SqliteBackendName;
	/** Milliseconds a statement waits for another connection's lock before `SQLITE_BUSY` (default 5000). */
	readonly busyTimeoutMs?: number;
}
