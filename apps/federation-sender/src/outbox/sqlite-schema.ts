/**
 * The SQLite schema of the outbox, versioned with `PRAGMA user_version` so later versions can migrate.
 *
 * - `items`: every PDU and EDU enqueued, per destination, ordered by `seq`; state `pending` →
 *   `sending` (in an open transaction) → `delivered` or `rejected` (a per-PDU error in a 200, or an expired
 *   ephemeral EDU); or `pending` → `superseded` (an older PDU of a room skipped by catch-up, version 2). PDUs
 *   keep their `room_id` (version 2). Finished rows are deleted after the retention.
 * - `transactions`: every transaction with its exact body; at most one `open` per destination.
 * - `destinations`: backoff and last outcome per destination (Synapse's `destinations` table).
 * - `meta`: the txnId counter.
 */
export const SCHEMA_VERSION = 2;

/** Statements creating schema version 1 (run inside one transaction). */
export const SCHEMA_V1 = `
CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

CREATE TABLE items (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	destination TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('pdu', 'edu')),
	event_id TEXT,
	json TEXT NOT NULL,
	enqueued_ts INTEGER NOT NULL,
	state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'delivered', 'rejected')),
	txn_id TEXT,
	error TEXT,
	done_ts INTEGER
) STRICT;

CREATE INDEX items_pending ON items (destination, kind, seq) WHERE state = 'pending';
CREATE INDEX items_by_txn ON items (destination, txn_id) WHERE txn_id IS NOT NULL;

CREATE TABLE transactions (
	destination TEXT NOT NULL,
	txn_id TEXT NOT NULL,
	body TEXT NOT NULL,
	pdu_count INTEGER NOT NULL,
	edu_count INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('open', 'delivered')),
	attempts INTEGER NOT NULL DEFAULT 0,
	created_ts INTEGER NOT NULL,
	last_attempt_ts INTEGER,
	last_error TEXT,
	delivered_ts INTEGER,
	response TEXT,
	PRIMARY KEY (destination, txn_id)
) STRICT;

CREATE UNIQUE INDEX transactions_one_open ON transactions (destination) WHERE state = 'open';

CREATE TABLE destinations (
	destination TEXT PRIMARY KEY,
	failure_ts INTEGER,
	retry_last_ts INTEGER NOT NULL DEFAULT 0,
	retry_interval INTEGER NOT NULL DEFAULT 0,
	failure_count INTEGER NOT NULL DEFAULT 0,
	last_error TEXT,
	last_success_ts INTEGER
) STRICT;
`;

/**
 * Version 2, catch-up after long outages (docs/architecture.md 5): `items` gets `room_id` (filled from the stored
 * JSON of the PDUs already there) and the state `superseded`. SQLite cannot change a CHECK constraint in place, so
 * the table is rebuilt, keeping every row, its `seq` and the AUTOINCREMENT high-water mark (so no `seq` is ever
 * used twice). Run inside the migration's write transaction.
 */
export const SCHEMA_V2 = `
CREATE TABLE items_v2 (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	destination TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('pdu', 'edu')),
	event_id TEXT,
	json TEXT NOT NULL,
	enqueued_ts INTEGER NOT NULL,
	state TEXT NOT NULL DEFAULT 'pending'
		CHECK (state IN ('pending', 'sending', 'delivered', 'rejected', 'superseded')),
	txn_id TEXT,
	error TEXT,
	done_ts INTEGER,
	room_id TEXT
) STRICT;

INSERT INTO items_v2 (seq, destination, kind, event_id, json, enqueued_ts, state, txn_id, error, done_ts, room_id)
	SELECT seq, destination, kind, event_id, json, enqueued_ts, state, txn_id, error, done_ts,
		CASE WHEN kind = 'pdu' THEN json_extract(json, '$.room_id') END
	FROM items;

CREATE TEMP TABLE items_high_water AS SELECT seq FROM sqlite_sequence WHERE name = 'items';
DROP TABLE items;
ALTER TABLE items_v2 RENAME TO items;
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM items_high_water), 0)) WHERE name = 'items';
DROP TABLE items_high_water;

CREATE INDEX items_pending ON items (destination, kind, seq) WHERE state = 'pending';
CREATE INDEX items_by_txn ON items (destination, txn_id) WHERE txn_id IS NOT NULL;
CREATE INDEX items_pending_rooms ON items (destination, room_id, seq) WHERE state = 'pending' AND kind = 'pdu';
`;
