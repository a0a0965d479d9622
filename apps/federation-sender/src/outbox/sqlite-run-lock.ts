/**
 * Makes sure only one `run` delivers from an outbox, so "one transaction in flight per destination" also holds
 * across processes. The lock is an SQLite database beside the outbox held in `locking_mode=EXCLUSIVE`:
 * the operating system drops it when the process dies, even by SIGKILL, so a restart never finds a stale lock.
 */
import { openSqlite } from '@homeserver/sqlite';
import type { SqliteDatabase } from '@homeserver/sqlite';
import { FederationSenderError } from '../errors.js';
import type { RunLock } from './types.js';

/** Takes the run lock of the SQLite outbox at `outboxPath` or throws `ERR_ALREADY_RUNNING`. */
export function acquireSqliteRunLock(outboxPath: string): RunLock {
	if (outboxPath === ':memory:') return { release: () => Promise.resolve() };
	const path = `${outboxPath}.run-lock`;
	let db: SqliteDatabase;
	try {
		db = openSqlite(path, { busyTimeoutMs: 0 });
	} catch (error) {
		throw new FederationSenderError('ERR_DATABASE', `cannot open the run lock ${path}: ${String(error)}`, {
			cause: error,
		});
	}
	try {
		db.pragma('locking_mode = EXCLUSIVE');
		db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, since INTEGER NOT NULL)');
		db.prepare('DELETE FROM holder').run();
		db.prepare('INSERT INTO holder (pid, since) VALUES (?, ?)').run(process.pid, Date.now());
	} catch (error) {
		db.close();
		throw new FederationSenderError(
			'ERR_ALREADY_RUNNING',
			`another federation-sender is already running on ${outboxPath} (its lock ${path} is held)`,
			{ cause: error },
		);
	}
	return {
		release: () => {
			if (db.open) db.close();
			return Promise.resolve();
		},
	};
}
