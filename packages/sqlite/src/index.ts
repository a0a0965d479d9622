/**
 * `@homeserver/sqlite`: one synchronous SQLite interface (better-sqlite3's, as far as the apps use it) on
 * better-sqlite3 where its native addon loads (Node 20) and on the built-in `node:sqlite` elsewhere
 * (Node 22.13+ and 24), so the apps keep their databases on every Node the project supports.
 */
export { openSqlite } from './open-sqlite.js';
export { sqliteBackends } from './backends.js';
export type { SqliteBackendStatus } from './backends.js';
export { isSqliteError, SQLITE_ERRORS, SqliteError } from './errors.js';
export type { SqliteBackendFailure, SqliteErrorCode } from './errors.js';
export type {
	OpenSqliteOptions,
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
