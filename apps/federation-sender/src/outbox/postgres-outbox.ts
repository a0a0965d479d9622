/**
 * The PostgreSQL outbox (`federation_sender.database.name: psycopg2`), on node-postgres. Same semantics as
 * the SQLite one: every write is one database transaction committed before the promise resolves; enqueues
 * and transaction building for a destination are serialised by a transaction-scoped advisory lock, so
 * sequence order is delivery order even with several writers.
 *
 * Every commit is durable (PostgreSQL's default: COMMIT returns after its WAL flush), so nothing acknowledged
 * can be lost. The write steps (enqueue, building a transaction, counting an attempt, filing a 200 or a
 * failure) of many destinations share one commit and its flush (`postgres-group-commit.ts`), which keeps the
 * flushes per delivered transaction far below one step each under load.
 */
import pg from 'pg';
import { PG_TABLE_PREFIX } from './postgres-schema.js';
import { PostgresGroupCommit } from './postgres-group-commit.js';
import { LEASE_HELD_SQL, LEASE_STATUS_SQL, PostgresLeases } from './postgres-leases.js';
import { watchPostgres, WAKE_CHANNEL } from './postgres-watch.js';
import {
	inTransaction,
	migratePostgres,
	takePostgresRunLock,
	wrap,
	type Query,
} from './postgres-connection.js';
import {
	assembleStatus,
	statusQueries,
	type CountRow,
	type DestinationRow,
	type LeaseRow,
	type OpenRow,
} from './status-rows.js';
import { buildTransactionBody } from './transaction-body.js';
import { endsLongOutage, SUPERSEDED_REASON } from './catch-up.js';
import {
	NO_BACKOFF,
	type BackoffState,
	type CompleteTransactionOptions,
	type CompletionSummary,
	type DestinationStatus,
	type LeaseTable,
	type NextTransactionOptions,
	type NewItem,
	type OutboxStore,
	type PendingWork,
	type RejectedPdu,
	type RunLock,
	type StoredItem,
	type StoredTransaction,
	type TransactionLimits,
} from './types.js';

/** Connection settings (the loader's `postgres` database config). */
export interface PostgresOutboxOptions {
	readonly host: string | undefined;
	readonly port: number | undefined;
	readonly user: string | undefined;
	readonly database: string | undefined;
	readonly password: string | undefined;
}

/** Namespace of the per-destination advisory locks. */
const DESTINATION_LOCK_SPACE = 0x46_53_4e_45;
const T = PG_TABLE_PREFIX;

/** Connects, creates or checks the schema, and returns the outbox. */
export async function openPostgresOutbox(options: PostgresOutboxOptions): Promise<PostgresOutbox> {
	const settings: pg.PoolConfig = {
		max: 4,
		connectionTimeoutMillis: 10_000,
		application_name: 'federation-sender',
	};
	if (options.host !== undefined) settings.host = options.host;
	if (options.port !== undefined) settings.port = options.port;
	if (options.user !== undefined) settings.user = options.user;
	if (options.database !== undefined) settings.database = options.database;
	if (options.password !== undefined) settings.password = options.password;
	const pool = new pg.Pool(settings);
	pool.on('error', () => undefined); // idle client errors surface on the next query instead
	const outbox = new PostgresOutbox(pool, settings);
	try {
		await outbox.migrate();
	} catch (error) {
		await pool.end();
		throw wrap(error, 'cannot open the PostgreSQL outbox');
	}
	return outbox;
}

/** {@link OutboxStore} on a node-postgres pool. */
export class PostgresOutbox implements OutboxStore {
	readonly #pool: pg.Pool;
	readonly #settings: pg.PoolConfig;
	readonly leases: LeaseTable;

	/** Use {@link openPostgresOutbox}. */
	constructor(pool: pg.Pool, settings: pg.PoolConfig) {
		this.#pool = pool;
		this.#settings = settings;
		this.leases = new PostgresLeases(pool);
		this.#group = new PostgresGroupCommit(pool, (error) => wrap(error, 'outbox database error'));
	}

	readonly #group: PostgresGroupCommit;

	/** Commits made by the write steps and the steps they carried (group commit; for benchmarks). */
	get commitStats(): { commits: number; steps: number } {
		return { commits: this.#group.commits, steps: this.#group.steps };
	}

	/** Brings the schema up to date when it is not (see `migratePostgres`); refuses a newer schema. */
	migrate(): Promise<void> {
		return migratePostgres(this.#pool);
	}

	enqueue(destination: string, items: readonly NewItem[], nowMs: number): Promise<StoredItem[]> {
		return this.#write(destination, async (q) => {
			await lockDestination(q, destination);
			const stored: StoredItem[] = [];
			for (const item of items) {
				const result = await q(
					`INSERT INTO ${T}items (destination, kind, event_id, json, enqueued_ts, room_id)
					 VALUES ($1, $2, $3, $4::text, $5, CASE WHEN $2::text = 'pdu' THEN $4::text::jsonb ->> 'room_id' END) RETURNING seq`,
					[destination, item.kind, item.eventId, item.json, nowMs],
				);
				stored.push({
					seq: Number((result.rows[0] as { seq: string }).seq),
					destination,
					kind: item.kind,
					eventId: item.eventId,
					bytes: Buffer.byteLength(item.json),
					enqueuedTs: nowMs,
				});
			}
			// Delivered at commit to every instance's LISTEN connection: the wake-up in milliseconds.
			await q('SELECT pg_notify($1, $2)', [WAKE_CHANNEL, destination]);
			return stored;
		});
	}

	nextTransaction(
		destination: string,
		origin: string,
		nowMs: number,
		limits: TransactionLimits,
		options: NextTransactionOptions = {},
	): Promise<StoredTransaction | null> {
		return this.#write(destination, async (q): Promise<StoredTransaction | null> => {
			await lockDestination(q, destination);
			if (options.leaseHolder !== undefined) {
				const held = await q(LEASE_HELD_SQL, [destination, options.leaseHolder]);
				if (held.rowCount === 0) return null;
			}
			const open = (
				await q(
					`SELECT txn_id, body, pdu_count, edu_count, attempts, created_ts FROM ${T}transactions WHERE destination = $1 AND state = 'open'`,
					[destination],
				)
			).rows[0] as
				| {
						txn_id: string;
						body: string;
						pdu_count: number;
						edu_count: number;
						attempts: number;
						created_ts: string;
				  }
				| undefined;
			if (open !== undefined) {
				return {
					destination,
					txnId: open.txn_id,
					body: open.body,
					pduCount: open.pdu_count,
					eduCount: open.edu_count,
					attempts: open.attempts,
					createdTs: Number(open.created_ts),
				};
			}
			if (options.ephemeralEdus !== undefined && options.ephemeralEdus.types.length > 0) {
				await q(
					`UPDATE ${T}items SET state = 'rejected', error = 'expired: ephemeral EDU not sent in time', done_ts = $1
					 WHERE destination = $2 AND kind = 'edu' AND state = 'pending' AND enqueued_ts < $3
					 AND (json::jsonb ->> 'edu_type') = ANY($4::text[])`,
					[nowMs, destination, nowMs - options.ephemeralEdus.maxAgeMs, [...options.ephemeralEdus.types]],
				);
			}
			const pending = `SELECT seq, json FROM ${T}items WHERE destination = $1 AND kind = $2 AND state = 'pending' ORDER BY seq LIMIT $3`;
			const pdus = (await q(pending, [destination, 'pdu', limits.maxPdus])).rows as {
				seq: string;
				json: string;
			}[];
			const edus = (await q(pending, [destination, 'edu', limits.maxEdus])).rows as {
				seq: string;
				json: string;
			}[];
			if (pdus.length === 0 && edus.length === 0) return null;
			// A sequence: no row lock shared by every destination (schema version 4).
			const counter = await q(`SELECT nextval('${T}txn_seq')::text AS value`);
			const txnId = (counter.rows[0] as { value: string }).value;
			const body = buildTransactionBody(
				origin,
				nowMs,
				pdus.map((row) => row.json),
				edus.map((row) => row.json),
			);
			await q(
				`INSERT INTO ${T}transactions (destination, txn_id, body, pdu_count, edu_count, state, created_ts) VALUES ($1, $2, $3, $4, $5, 'open', $6)`,
				[destination, txnId, body, pdus.length, edus.length, nowMs],
			);
			await q(
				`UPDATE ${T}items SET state = 'sending', txn_id = $1 WHERE seq = ANY($2::bigint[]) AND state = 'pending'`,
				[txnId, [...pdus, ...edus].map((row) => row.seq)],
			);
			return {
				destination,
				txnId,
				body,
				pduCount: pdus.length,
				eduCount: edus.length,
				attempts: 0,
				createdTs: nowMs,
			};
		});
	}

	async markAttempt(destination: string, txnId: string, nowMs: number): Promise<void> {
		await this.#write(destination, (q) =>
			q(
				`UPDATE ${T}transactions SET attempts = attempts + 1, last_attempt_ts = $1 WHERE destination = $2 AND txn_id = $3 AND state = 'open'`,
				[nowMs, destination, txnId],
			),
		);
	}

	completeTransaction(
		destination: string,
		txnId: string,
		pduResults: ReadonlyMap<string, string | null>,
		responseJson: string,
		nowMs: number,
		options: CompleteTransactionOptions = {},
	): Promise<CompletionSummary> {
		return this.#write(destination, async (q) => {
			const changed = await q(
				`UPDATE ${T}transactions SET state = 'delivered', delivered_ts = $1, response = $2, last_error = NULL WHERE destination = $3 AND txn_id = $4 AND state = 'open'`,
				[nowMs, responseJson, destination, txnId],
			);
			if (changed.rowCount === 0) return { delivered: 0, rejected: [], superseded: 0 };
			const outage = (await q(`SELECT failure_ts FROM ${T}destinations WHERE destination = $1`, [destination]))
				.rows[0] as { failure_ts: string | null } | undefined;
			const failureTs =
				outage === undefined || outage.failure_ts === null ? null : Number(outage.failure_ts);
			let superseded = 0;
			if (endsLongOutage(failureTs, nowMs, options.catchUpAfterMs)) {
				// The destination's enqueues wait on this lock, so no PDU can slip in between the ranking and the update.
				await lockDestination(q, destination);
				const result = await q(
					`UPDATE ${T}items SET state = 'superseded', error = $1, done_ts = $2 WHERE seq IN (
						SELECT seq FROM (
							SELECT seq, row_number() OVER (PARTITION BY room_id ORDER BY seq DESC) AS newest
							FROM ${T}items WHERE destination = $3 AND kind = 'pdu' AND state = 'pending'
						) AS ranked WHERE newest > 1)`,
					[SUPERSEDED_REASON, nowMs, destination],
				);
				superseded = result.rowCount ?? 0;
			}
			const rows = (
				await q(
					`SELECT seq, kind, event_id FROM ${T}items WHERE destination = $1 AND txn_id = $2 ORDER BY seq`,
					[destination, txnId],
				)
			).rows as { seq: string; kind: string; event_id: string | null }[];
			const rejected: RejectedPdu[] = [];
			for (const row of rows) {
				const error = row.kind === 'pdu' && row.event_id !== null ? pduResults.get(row.event_id) : undefined;
				if (typeof error === 'string')
					rejected.push({ seq: Number(row.seq), eventId: row.event_id ?? '', error });
			}
			await q(
				`UPDATE ${T}items SET state = 'delivered', done_ts = $1 WHERE destination = $2 AND txn_id = $3 AND NOT (seq = ANY($4::bigint[]))`,
				[nowMs, destination, txnId, rejected.map((r) => r.seq)],
			);
			for (const r of rejected) {
				await q(`UPDATE ${T}items SET state = 'rejected', error = $1, done_ts = $2 WHERE seq = $3`, [
					r.error,
					nowMs,
					r.seq,
				]);
			}
			await q(
				`INSERT INTO ${T}destinations (destination, last_success_ts) VALUES ($1, $2)
				 ON CONFLICT (destination) DO UPDATE SET failure_ts = NULL, retry_last_ts = 0, retry_interval = 0,
				 failure_count = 0, last_error = NULL, last_success_ts = excluded.last_success_ts`,
				[destination, nowMs],
			);
			return { delivered: rows.length - rejected.length, rejected, superseded };
		});
	}

	recordFailure(
		destination: string,
		txnId: string,
		error: string,
		backoff: BackoffState,
		nowMs: number,
	): Promise<void> {
		return this.#write(destination, async (q) => {
			await q(
				`UPDATE ${T}transactions SET last_error = $1 WHERE destination = $2 AND txn_id = $3 AND state = 'open'`,
				[error, destination, txnId],
			);
			await q(
				`INSERT INTO ${T}destinations (destination, failure_ts, retry_last_ts, retry_interval, failure_count, last_error)
				 VALUES ($1, $2, $3, $4, $5, $6)
				 ON CONFLICT (destination) DO UPDATE SET failure_ts = excluded.failure_ts, retry_last_ts = excluded.retry_last_ts,
				 retry_interval = excluded.retry_interval, failure_count = excluded.failure_count, last_error = excluded.last_error`,
				[
					destination,
					backoff.failureTs ?? nowMs,
					backoff.retryLastTs,
					backoff.retryInterval,
					backoff.failureCount,
					error,
				],
			);
		});
	}

	async getBackoff(destination: string): Promise<BackoffState> {
		const row = (
			await this.#query(
				`SELECT destination, failure_ts, retry_last_ts, retry_interval, failure_count FROM ${T}destinations WHERE destination = $1`,
				[destination],
			)
		).rows[0] as BackoffRow | undefined;
		return row === undefined ? NO_BACKOFF : toBackoff(row);
	}

	async pendingWork(): Promise<PendingWork[]> {
		const rows = (
			await this.#query(
				`SELECT w.destination, d.failure_ts, d.retry_last_ts, d.retry_interval, d.failure_count FROM (
					SELECT DISTINCT destination FROM ${T}items WHERE state = 'pending'
					UNION SELECT destination FROM ${T}transactions WHERE state = 'open'
				) AS w LEFT JOIN ${T}destinations AS d ON d.destination = w.destination ORDER BY w.destination`,
			)
		).rows as BackoffRow[];
		return rows.map((row) => ({ destination: row.destination, backoff: toBackoff(row) }));
	}

	status(): Promise<DestinationStatus[]> {
		const sql = statusQueries(T);
		return this.#tx(async (q) =>
			assembleStatus(
				(await q(sql.counts)).rows as CountRow[],
				(await q(sql.open)).rows as OpenRow[],
				(await q(sql.destinations)).rows as DestinationRow[],
				(await q(LEASE_STATUS_SQL)).rows as LeaseRow[],
			),
		);
	}

	/** Deletes finished rows older than `beforeMs` (items, then transactions none of whose items remain). */
	prune(beforeMs: number): Promise<number> {
		return this.#tx(async (q) => {
			const items = await q(
				`DELETE FROM ${T}items WHERE state IN ('delivered', 'rejected', 'superseded') AND done_ts < $1`,
				[beforeMs],
			);
			const txns = await q(`DELETE FROM ${T}transactions WHERE state = 'delivered' AND delivered_ts < $1`, [
				beforeMs,
			]);
			return (items.rowCount ?? 0) + (txns.rowCount ?? 0);
		});
	}

	async size(): Promise<{ items: number; transactions: number }> {
		const row = (
			await this.#query(
				`SELECT (SELECT count(*) FROM ${T}items) AS items, (SELECT count(*) FROM ${T}transactions) AS transactions`,
			)
		).rows[0] as { items: string; transactions: string };
		return { items: Number(row.items), transactions: Number(row.transactions) };
	}

	/** `LISTEN` on a dedicated connection: each enqueue's `NOTIFY` names its destination; lease changes too. */
	watchChanges(
		onChange: (destination: string | null) => void,
		onLeases?: (instance: string) => void,
	): Promise<() => Promise<void>> {
		return watchPostgres(this.#settings, onChange, onLeases);
	}

	/** The highest item sequence: it moves whenever anyone enqueues. */
	async changeToken(): Promise<string> {
		const row = (await this.#query(`SELECT coalesce(max(seq), 0) AS token FROM ${T}items`)).rows[0] as {
			token: string;
		};
		return String(row.token);
	}

	/**
	 * A session-level advisory lock per instance name on a dedicated connection; it dies with the connection
	 * (and the process). Several instances with different names share the outbox through {@link leases}.
	 */
	acquireRunLock(instance = ''): Promise<RunLock> {
		return takePostgresRunLock(this.#settings, instance);
	}

	async close(): Promise<void> {
		await this.#group.flush();
		if (!this.#pool.ended) await this.#pool.end();
	}

	async #query(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
		try {
			return await this.#pool.query(sql, params);
		} catch (error) {
			throw wrap(error, 'outbox database error');
		}
	}

	/** Runs `body` in one database transaction on one pooled connection. */
	#tx<R>(body: (q: Query) => Promise<R>): Promise<R> {
		return inTransaction(this.#pool, body);
	}

	/** Runs a write step touching `destination` in the next shared durable commit (`postgres-group-commit.ts`). */
	#write<R>(destination: string, step: (q: Query) => Promise<R>): Promise<R> {
		return this.#group.run(destination, step);
	}
}

async function lockDestination(q: Query, destination: string): Promise<void> {
	await q('SELECT pg_advisory_xact_lock($1, hashtext($2))', [DESTINATION_LOCK_SPACE, destination]);
}

interface BackoffRow {
	destination: string;
	failure_ts: string | null;
	retry_last_ts: string | null;
	retry_interval: string | null;
	failure_count: number | null;
}

function toBackoff(row: BackoffRow): BackoffState {
	return {
		failureTs: row.failure_ts === null ? null : Number(row.failure_ts),
		retryLastTs: Number(row.retry_last_ts ?? 0),
		retryInterval: Number(row.retry_interval ?? 0),
		failureCount: row.failure_count ?? 0,
	};
}
