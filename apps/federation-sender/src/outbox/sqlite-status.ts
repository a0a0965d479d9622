/** The `status` query of the SQLite outbox: one row per destination, in a single read transaction. */
import type { SqliteDatabase } from '@homeserver/sqlite';
import {
	assembleStatus,
	statusQueries,
	type CountRow,
	type DestinationRow,
	type OpenRow,
} from './status-rows.js';
import type { DestinationStatus } from './types.js';

const SQL = statusQueries('');

/** Reads every destination's queue depth, open transaction and backoff. */
export function readStatus(db: SqliteDatabase): DestinationStatus[] {
	return db
		.transaction(() =>
			assembleStatus(
				db.prepare(SQL.counts).all() as CountRow[],
				db.prepare(SQL.open).all() as OpenRow[],
				db.prepare(SQL.destinations).all() as DestinationRow[],
			),
		)
		.deferred();
}
