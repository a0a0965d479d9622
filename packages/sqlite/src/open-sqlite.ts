/** Opening a database on the engine that works in this Node. */
import { chooseDriver } from './backends.js';
import { SqliteConnection } from './database.js';
import { SqliteError, sqliteCodeOf } from './errors.js';
import type { OpenSqliteOptions, SqliteDatabase } from './types.js';

/** better-sqlite3's default busy timeout, kept on both engines. */
const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating when missing) the SQLite database at `path` (`:memory:` for a private in-memory one) on
 * better-sqlite3 when its addon loads in this Node, else on `node:sqlite`. Foreign keys are enforced and
 * double-quoted strings are identifiers on both engines (their defaults). Throws `ERR_SQLITE_UNAVAILABLE`
 * when no engine works here, `ERR_SQLITE_OPEN` when the file cannot be opened.
 */
export function openSqlite(path: string, options: OpenSqliteOptions = {}): SqliteDatabase {
	const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
	if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
		throw new SqliteError(
			'ERR_SQLITE_OPEN',
			`busyTimeoutMs must be a whole number of milliseconds, 0 or more (got ${busyTimeoutMs})`,
		);
	}
	const driver = chooseDriver(options.backend);
	try {
		return new SqliteConnection(driver.connect(path, busyTimeoutMs), driver.name, path);
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		throw new SqliteError('ERR_SQLITE_OPEN', `cannot open the SQLite database ${path}: ${reason}`, {
			cause: error,
			sqliteCode: sqliteCodeOf(error),
			backend: driver.name,
		});
	}
}
