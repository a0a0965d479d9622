/** The prepared statements of the SQLite outbox, compiled once per connection. */
import type { SqliteDatabase, SqliteStatement } from '@homeserver/sqlite';

/** The SQL of every statement {@link SqliteOutbox} runs, by name. */
const SQL = {
	insertItem: `INSERT INTO items (destination, kind, event_id, json, enqueued_ts, room_id)
			 VALUES (?, ?, ?, ?, ?, CASE WHEN ? = 'pdu' THEN json_extract(?, '$.room_id') END)`,
	openTxn:
		"SELECT txn_id, body, pdu_count, edu_count, attempts, created_ts FROM transactions WHERE destination = ? AND state = 'open'",
	pendingItems:
		"SELECT seq, kind, event_id, json FROM items WHERE destination = ? AND kind = ? AND state = 'pending' ORDER BY seq LIMIT ?",
	getMeta: 'SELECT value FROM meta WHERE key = ?',
	setMeta:
		'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
	insertTxn:
		"INSERT INTO transactions (destination, txn_id, body, pdu_count, edu_count, state, created_ts) VALUES (?, ?, ?, ?, ?, 'open', ?)",
	assignItem: "UPDATE items SET state = 'sending', txn_id = ? WHERE seq = ? AND state = 'pending'",
	markAttempt:
		"UPDATE transactions SET attempts = attempts + 1, last_attempt_ts = ? WHERE destination = ? AND txn_id = ? AND state = 'open'",
	completeTxn:
		"UPDATE transactions SET state = 'delivered', delivered_ts = ?, response = ?, last_error = NULL WHERE destination = ? AND txn_id = ? AND state = 'open'",
	itemsOfTxn: 'SELECT seq, kind, event_id, json FROM items WHERE destination = ? AND txn_id = ? ORDER BY seq',
	finishItem: 'UPDATE items SET state = ?, error = ?, done_ts = ? WHERE seq = ?',
	markSuccess: `INSERT INTO destinations (destination, last_success_ts) VALUES (?, ?)
			 ON CONFLICT (destination) DO UPDATE SET failure_ts = NULL, retry_last_ts = 0, retry_interval = 0,
			 failure_count = 0, last_error = NULL, last_success_ts = excluded.last_success_ts`,
	txnError: "UPDATE transactions SET last_error = ? WHERE destination = ? AND txn_id = ? AND state = 'open'",
	upsertBackoff: `INSERT INTO destinations (destination, failure_ts, retry_last_ts, retry_interval, failure_count, last_error)
			 VALUES (?, ?, ?, ?, ?, ?)
			 ON CONFLICT (destination) DO UPDATE SET failure_ts = excluded.failure_ts, retry_last_ts = excluded.retry_last_ts,
			 retry_interval = excluded.retry_interval, failure_count = excluded.failure_count, last_error = excluded.last_error`,
	getBackoff:
		'SELECT failure_ts, retry_last_ts, retry_interval, failure_count FROM destinations WHERE destination = ?',
	pendingWork: `SELECT w.destination, d.failure_ts, d.retry_last_ts, d.retry_interval, d.failure_count FROM (
				SELECT DISTINCT destination FROM items WHERE state = 'pending'
				UNION SELECT destination FROM transactions WHERE state = 'open'
			) AS w LEFT JOIN destinations AS d ON d.destination = w.destination ORDER BY w.destination`,
	expireEdus: `UPDATE items SET state = 'rejected', error = 'expired: ephemeral EDU not sent in time', done_ts = ?
			 WHERE destination = ? AND kind = 'edu' AND state = 'pending' AND enqueued_ts < ?
			 AND json_extract(json, '$.edu_type') IN (SELECT value FROM json_each(?))`,
	supersedePdus: `UPDATE items SET state = 'superseded', error = ?, done_ts = ? WHERE seq IN (
				SELECT seq FROM (
					SELECT seq, row_number() OVER (PARTITION BY room_id ORDER BY seq DESC) AS newest
					FROM items WHERE destination = ? AND kind = 'pdu' AND state = 'pending'
				) WHERE newest > 1)`,
	pruneItems: "DELETE FROM items WHERE state IN ('delivered', 'rejected', 'superseded') AND done_ts < ?",
	pruneTxns: "DELETE FROM transactions WHERE state = 'delivered' AND delivered_ts < ?",
	size: 'SELECT (SELECT count(*) FROM items) AS items, (SELECT count(*) FROM transactions) AS transactions',
} as const;

/** The prepared statements, by name. */
export type Statements = { readonly [K in keyof typeof SQL]: SqliteStatement };

/** Prepares every statement once per connection. */
export function prepareStatements(db: SqliteDatabase): Statements {
	return Object.fromEntries(Object.entries(SQL).map(([name, sql]) => [name, db.prepare(sql)])) as Statements;
}
