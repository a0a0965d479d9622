/**
 * Opens the outbox named by `federation_sender.database` (Synapse's `{name, args}` shape): SQLite today;
 * PostgreSQL (`psycopg2`) is refused with a clear error until its implementation lands.
 */
import type { DatabaseConfig } from '@homeserver/config';
import { FederationSenderError } from '../errors.js';
import { openSqliteOutbox, type SqliteOutboxOptions } from './sqlite-outbox.js';
import type { OutboxStore } from './types.js';

/** Opens the configured outbox; `mustExist` is for read-only commands. */
export function openOutbox(database: DatabaseConfig, options: SqliteOutboxOptions = {}): OutboxStore {
	if (database.kind === 'postgres') {
		throw new FederationSenderError(
			'ERR_DATABASE_UNSUPPORTED',
			'federation_sender.database.name: psycopg2 (PostgreSQL) is not yet supported by federation-sender; use sqlite3',
		);
	}
	return openSqliteOutbox(database.path, options);
}
