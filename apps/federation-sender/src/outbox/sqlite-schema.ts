/**
 * The SQLite schema of the outbox, versioned with `PRAGMA user_version` so later versions can migrate.
 *
 * - `items`: every PDU and EDU ever enqueued, per destination, ordered by `seq`; state `pending` →
 *   `sending` (in an open transaction) → `delivered` or `rejected` (a per-PDU error in a 200). Never deleted.
 * - `transactions`: every transaction with its exact body; at most one `open` per destination.
 * - `destinations`: backoff and last outcome per destination (Synapse's `destinations` table).
 * - `meta`: the txnId counter.
 */
export const SCHEMA_VERSION = 1;

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
