/**
 * The PostgreSQL schema of the outbox: the same tables and states as the SQLite one (see
 * `sqlite-schema.ts`), prefixed `federation_sender_` so they can live in a database shared with other tables.
 */
export const PG_SCHEMA_VERSION = 4;

/** Prefix of every table of the PostgreSQL outbox. */
export const PG_TABLE_PREFIX = 'federation_sender_';

/** Statements creating schema version 1. */
export const PG_SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS federation_sender_meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS federation_sender_items (
	seq BIGSERIAL PRIMARY KEY,
	destination TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('pdu', 'edu')),
	event_id TEXT,
	json TEXT NOT NULL,
	enqueued_ts BIGINT NOT NULL,
	state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'delivered', 'rejected')),
	txn_id TEXT,
	error TEXT,
	done_ts BIGINT
);

CREATE INDEX IF NOT EXISTS federation_sender_items_pending
	ON federation_sender_items (destination, kind, seq) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS federation_sender_items_by_txn
	ON federation_sender_items (destination, txn_id) WHERE txn_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS federation_sender_transactions (
	destination TEXT NOT NULL,
	txn_id TEXT NOT NULL,
	body TEXT NOT NULL,
	pdu_count INTEGER NOT NULL,
	edu_count INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('open', 'delivered')),
	attempts INTEGER NOT NULL DEFAULT 0,
	created_ts BIGINT NOT NULL,
	last_attempt_ts BIGINT,
	last_error TEXT,
	delivered_ts BIGINT,
	response TEXT,
	PRIMARY KEY (destination, txn_id)
);

CREATE UNIQUE INDEX IF NOT EXISTS federation_sender_transactions_one_open
	ON federation_sender_transactions (destination) WHERE state = 'open';

CREATE TABLE IF NOT EXISTS federation_sender_destinations (
	destination TEXT PRIMARY KEY,
	failure_ts BIGINT,
	retry_last_ts BIGINT NOT NULL DEFAULT 0,
	retry_interval BIGINT NOT NULL DEFAULT 0,
	failure_count INTEGER NOT NULL DEFAULT 0,
	last_error TEXT,
	last_success_ts BIGINT
);
`;

/**
 * Version 2: several `run` instances share the outbox (docs/architecture.md 5). `instances` holds each live
 * instance's heartbeat; `leases` says which instance works a destination, until `expires_ts` (database clock).
 */
export const PG_SCHEMA_V2 = `
CREATE TABLE IF NOT EXISTS federation_sender_instances (
	name TEXT PRIMARY KEY,
	started_ts BIGINT NOT NULL,
	heartbeat_ts BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS federation_sender_leases (
	destination TEXT PRIMARY KEY,
	instance TEXT NOT NULL,
	expires_ts BIGINT NOT NULL
);

CREATE INDEX IF NOT EXISTS federation_sender_leases_by_instance ON federation_sender_leases (instance);
CREATE INDEX IF NOT EXISTS federation_sender_items_done
	ON federation_sender_items (done_ts) WHERE state IN ('delivered', 'rejected');
`;

/**
 * Version 3, catch-up after long outages (docs/architecture.md 5): PDUs keep their `room_id` (filled from the
 * stored JSON of those not yet finished) and an older PDU of a room skipped by catch-up is `superseded`.
 */
export const PG_SCHEMA_V3 = `
ALTER TABLE federation_sender_items ADD COLUMN IF NOT EXISTS room_id TEXT;
UPDATE federation_sender_items SET room_id = json::jsonb ->> 'room_id'
	WHERE kind = 'pdu' AND room_id IS NULL AND state IN ('pending', 'sending');
ALTER TABLE federation_sender_items DROP CONSTRAINT IF EXISTS federation_sender_items_state_check;
ALTER TABLE federation_sender_items ADD CONSTRAINT federation_sender_items_state_check
	CHECK (state IN ('pending', 'sending', 'delivered', 'rejected', 'superseded'));
CREATE INDEX IF NOT EXISTS federation_sender_items_pending_rooms
	ON federation_sender_items (destination, room_id, seq) WHERE state = 'pending' AND kind = 'pdu';
DROP INDEX IF EXISTS federation_sender_items_done;
CREATE INDEX federation_sender_items_done
	ON federation_sender_items (done_ts) WHERE state IN ('delivered', 'rejected', 'superseded');
`;

/**
 * Version 4: txnIds come from a sequence instead of a counter row in `meta`, so building transactions takes no
 * lock shared by every destination (batches of several instances, or of one instance's parallel group commits,
 * no longer queue or deadlock on that row). The sequence starts above the old counter and above the clock in
 * ms, so a txnId never repeats for a destination, also when the outbox is created again.
 */
export const PG_SCHEMA_V4 = `
CREATE SEQUENCE IF NOT EXISTS federation_sender_txn_seq;
SELECT setval('federation_sender_txn_seq', GREATEST(
	COALESCE((SELECT value::bigint FROM federation_sender_meta WHERE key = 'txn_counter'), 0),
	(extract(epoch FROM clock_timestamp()) * 1000)::bigint
) + 1);
`;

/** Advisory-lock keys (arbitrary constants, namespaced by the first number). */
export const PG_LOCKS = Object.freeze({
	/** Held during migration. */
	migrate: [0x46_53_4e_44, 1] as const,
	/** Held by the one `run` for the life of its session. */
	run: [0x46_53_4e_44, 2] as const,
});
