/**
 * Opens the outbox named by `federation_sender.database` (Synapse's `{name, args}` shape): SQLite
 * (`sqlite3`, the default) or PostgreSQL (`psycopg2`).
 */
import type { DatabaseConfig } from '@homeserver/config';
import { openPostgresOutbox } from './postgres-outbox.js';
import { openSqliteOutbox, type SqliteOutboxOptions } from './sqlite-outbox.js';
import type { OutboxStore } from './types.js';

/** Opens the configured outbox; `mustExist` (SQLite) is for read-only commands. */
export async function openOutbox(
	database: DatabaseConfig,
	options: SqliteOutboxOptions = {},
): Promise<OutboxStore> {
	if (database.kind === 'postgres') return openPostgresOutbox(database);
	return openSqliteOutbox(database.path, options);
}
