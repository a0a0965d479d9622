/**
 * The SQLite outbox (on `@homeserver/sqlite`: better-sqlite3, or node:sqlite where that addon does not load):
 * WAL journal with `synchronous=FULL`, so a commit acknowledged by `enqueue` survives a killed process and a
 * power cut. Queries live in `sqlite-statements.ts`.
 */
import { existsSync } from 'node:fs';
import { openSqlite } from '@homeserver/sqlite';
import type { SqliteDatabase } from '@homeserver/sqlite';
import { FederationSenderError } from '../errors.js';
import { SCHEMA_V1, SCHEMA_V2, SCHEMA_VERSION } from './sqlite-schema.js';
import { prepareStatements, type Statements } from './sqlite-statements.js';
import { buildTransactionBody, nextTxnCounter } from './transaction-body.js';
import {
	NO_BACKOFF,
	type BackoffState,
	type CompleteTransactionOptions,
	type CompletionSummary,
	type DestinationStatus,
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
import { readStatus } from './sqlite-status.js';
import { acquireSqliteRunLock } from './sqlite-run-lock.js';
import { GroupCommit } from './sqlite-group-commit.js';
import { endsLongOutage, SUPERSEDED_REASON } from './catch-up.js';

/**
 * How often a `run` reads `PRAGMA data_version` to see commits by other processes (an `enqueue`, an embedding
 * homeserver): a read of a counter in the shared-memory WAL index, with no disk access, so every few
 * milliseconds costs nothing noticeable and new work is seen within that time.
 */
export const SQLITE_WATCH_INTERVAL_MS = 3;

/** How to open the SQLite outbox. */
export interface SqliteOutboxOptions {
	/** Fail with `ERR_OUTBOX_MISSING` instead of creating the file (read-only commands such as `status`). */
	readonly mustExist?: boolean;
	/** Milliseconds to wait for another process's write lock (default 5000). */
	readonly busyTimeoutMs?: number;
}

/** Opens (creating and migrating when needed) the outbox at `path`. */
export function openSqliteOutbox(path: string, options: SqliteOutboxOptions = {}): SqliteOutbox {
	if (options.mustExist === true && path !== ':memory:' && !existsSync(path)) {
		throw new FederationSenderError('ERR_OUTBOX_MISSING', `no outbox database at ${path}`);
	}
	let db: SqliteDatabase;
	try {
		db = openSqlite(path, { busyTimeoutMs: options.busyTimeoutMs ?? 5000 });
		db.pragma('journal_mode = WAL');
		db.pragma('synchronous = FULL');
		db.pragma('foreign_keys = ON');
		migrate(db);
	} catch (error) {
		if (error instanceof FederationSenderError) throw error;
		throw new FederationSenderError('ERR_DATABASE', `cannot open the outbox at ${path}: ${String(error)}`, {
			cause: error,
		});
	}
	return new SqliteOutbox(db, path);
}

function migrate(db: SqliteDatabase): void {
	const version = db.pragma('user_version', { simple: true }) as number;
	if (version === SCHEMA_VERSION) return;
	if (version > SCHEMA_VERSION) {
		throw new FederationSenderError(
			'ERR_DATABASE',
			`the outbox has schema version ${version}, newer than this program (${SCHEMA_VERSION})`,
		);
	}
	db.transaction(() => {
		// Read again under the write lock: another process may have migrated meanwhile.
		const current = db.pragma('user_version', { simple: true }) as number;
		if (current >= SCHEMA_VERSION) return;
		if (current < 1) db.exec(SCHEMA_V1);
		if (current < 2) db.exec(SCHEMA_V2);
		db.pragma(`user_version = ${SCHEMA_VERSION}`);
	}).immediate();
}

interface ItemRow {
	seq: number;
	kind: 'pdu' | 'edu';
	event_id: string | null;
	json: string;
}

interface TxnRow {
	txn_id: string;
	body: string;
	pdu_count: number;
	edu_count: number;
	attempts: number;
	created_ts: number;
}

interface BackoffRow {
	failure_ts: number | null;
	retry_last_ts: number;
	retry_interval: number;
	failure_count: number;
}

/** {@link OutboxStore} on one SQLite connection. Synchronous inside, async at the interface. */
export class SqliteOutbox implements OutboxStore {
	readonly #db: SqliteDatabase;
	readonly #q: Statements;
	readonly #path: string;
	/** One `run` per SQLite outbox (its run lock): no leases. */
	readonly leases = null;

	/** Use {@link openSqliteOutbox}. */
	constructor(db: SqliteDatabase, path: string) {
		this.#db = db;
		this.#path = path;
		this.#q = prepareStatements(db);
		this.#group = new GroupCommit(db, toDatabaseError);
	}

	readonly #group: GroupCommit;

	/** Commits made and write steps they carried (group commit; for benchmarks). */
	get commitStats(): { commits: number; steps: number } {
		return { commits: this.#group.commits, steps: this.#group.steps };
	}

	enqueue(destination: string, items: readonly NewItem[], nowMs: number): Promise<StoredItem[]> {
		return this.#write(() =>
			this.#db
				.transaction(() =>
					items.map((item): StoredItem => {
						const info = this.#q.insertItem.run(
							destination,
							item.kind,
							item.eventId,
							item.json,
							nowMs,
							item.kind,
							item.json,
						);
						return {
							seq: Number(info.lastInsertRowid),
							destination,
							kind: item.kind,
							eventId: item.eventId,
							bytes: Buffer.byteLength(item.json),
							enqueuedTs: nowMs,
						};
					}),
				)
				.immediate(),
		);
	}

	nextTransaction(
		destination: string,
		origin: string,
		nowMs: number,
		limits: TransactionLimits,
		options: NextTransactionOptions = {},
	): Promise<StoredTransaction | null> {
		return this.#write(() =>
			this.#db
				.transaction((): StoredTransaction | null => {
					const open = this.#q.openTxn.get(destination) as TxnRow | undefined;
					if (open !== undefined) return toTransaction(destination, open);
					const ephemeral = options.ephemeralEdus;
					if (ephemeral !== undefined && ephemeral.types.length > 0) {
						this.#q.expireEdus.run(
							nowMs,
							destination,
							nowMs - ephemeral.maxAgeMs,
							JSON.stringify(ephemeral.types),
						);
					}
					const pdus = this.#q.pendingItems.all(destination, 'pdu', limits.maxPdus) as ItemRow[];
					const edus = this.#q.pendingItems.all(destination, 'edu', limits.maxEdus) as ItemRow[];
					if (pdus.length === 0 && edus.length === 0) return null;
					const counter = Number(
						(this.#q.getMeta.get('txn_counter') as { value: string } | undefined)?.value ?? 0,
					);
					const next = nextTxnCounter(counter, nowMs);
					this.#q.setMeta.run('txn_counter', String(next));
					const txnId = String(next);
					const body = buildTransactionBody(
						origin,
						nowMs,
						pdus.map((row) => row.json),
						edus.map((row) => row.json),
					);
					this.#q.insertTxn.run(destination, txnId, body, pdus.length, edus.length, nowMs);
					for (const row of [...pdus, ...edus]) this.#q.assignItem.run(txnId, row.seq);
					return {
						destination,
						txnId,
						body,
						pduCount: pdus.length,
						eduCount: edus.length,
						attempts: 0,
						createdTs: nowMs,
					};
				})
				.immediate(),
		);
	}

	markAttempt(destination: string, txnId: string, nowMs: number): Promise<void> {
		return this.#write(() => {
			this.#q.markAttempt.run(nowMs, destination, txnId);
		});
	}

	completeTransaction(
		destination: string,
		txnId: string,
		pduResults: ReadonlyMap<string, string | null>,
		responseJson: string,
		nowMs: number,
		options: CompleteTransactionOptions = {},
	): Promise<CompletionSummary> {
		return this.#write(() =>
			this.#db
				.transaction((): CompletionSummary => {
					const changed = this.#q.completeTxn.run(nowMs, responseJson, destination, txnId).changes;
					if (changed === 0) return { delivered: 0, rejected: [], superseded: 0 };
					const outage = this.#q.getBackoff.get(destination) as BackoffRow | undefined;
					const superseded = endsLongOutage(outage?.failure_ts ?? null, nowMs, options.catchUpAfterMs)
						? this.#q.supersedePdus.run(SUPERSEDED_REASON, nowMs, destination).changes
						: 0;
					const rows = this.#q.itemsOfTxn.all(destination, txnId) as ItemRow[];
					const rejected: RejectedPdu[] = [];
					for (const row of rows) {
						const error =
							row.kind === 'pdu' && row.event_id !== null ? pduResults.get(row.event_id) : undefined;
						if (typeof error === 'string') {
							rejected.push({ seq: row.seq, eventId: row.event_id ?? '', error });
							this.#q.finishItem.run('rejected', error, nowMs, row.seq);
						} else {
							this.#q.finishItem.run('delivered', null, nowMs, row.seq);
						}
					}
					this.#q.markSuccess.run(destination, nowMs);
					return { delivered: rows.length - rejected.length, rejected, superseded };
				})
				.immediate(),
		);
	}

	recordFailure(
		destination: string,
		txnId: string,
		error: string,
		backoff: BackoffState,
		nowMs: number,
	): Promise<void> {
		return this.#write(() =>
			this.#db
				.transaction(() => {
					this.#q.txnError.run(error, destination, txnId);
					this.#q.upsertBackoff.run(
						destination,
						backoff.failureTs ?? nowMs,
						backoff.retryLastTs,
						backoff.retryInterval,
						backoff.failureCount,
						error,
					);
				})
				.immediate(),
		);
	}

	getBackoff(destination: string): Promise<BackoffState> {
		return this.#run(() => {
			const row = this.#q.getBackoff.get(destination) as BackoffRow | undefined;
			return row === undefined ? NO_BACKOFF : toBackoff(row);
		});
	}

	pendingWork(): Promise<PendingWork[]> {
		return this.#run(() =>
			(this.#q.pendingWork.all() as (BackoffRow & { destination: string })[]).map((row) => ({
				destination: row.destination,
				backoff: toBackoff(row),
			})),
		);
	}

	status(): Promise<DestinationStatus[]> {
		return this.#run(() => readStatus(this.#db));
	}

	changeToken(): Promise<string> {
		return this.#run(() => String(this.#db.pragma('data_version', { simple: true })));
	}

	/** Polls `data_version` every {@link SQLITE_WATCH_INTERVAL_MS} ms; it changes when another connection commits. */
	watchChanges(onChange: (destination: string | null) => void): Promise<() => Promise<void>> {
		let last = this.#db.pragma('data_version', { simple: true }) as number;
		const timer = setInterval(() => {
			if (!this.#db.open) return;
			try {
				const now = this.#db.pragma('data_version', { simple: true }) as number;
				if (now === last) return;
				last = now;
			} catch {
				return; // busy or closing: the next tick (or the fallback poll) sees it
			}
			onChange(null);
		}, SQLITE_WATCH_INTERVAL_MS);
		timer.unref();
		return Promise.resolve(() => {
			clearInterval(timer);
			return Promise.resolve();
		});
	}

	prune(beforeMs: number): Promise<number> {
		return this.#write(() =>
			this.#db
				.transaction(() => this.#q.pruneItems.run(beforeMs).changes + this.#q.pruneTxns.run(beforeMs).changes)
				.immediate(),
		);
	}

	size(): Promise<{ items: number; transactions: number }> {
		return this.#run(() => {
			const row = this.#q.size.get() as { items: number; transactions: number };
			return { items: Number(row.items), transactions: Number(row.transactions) };
		});
	}

	acquireRunLock(): Promise<RunLock> {
		return this.#run(() => acquireSqliteRunLock(this.#path));
	}

	close(): Promise<void> {
		return this.#run(() => {
			if (this.#db.open) this.#group.flush();
			if (this.#db.open) this.#db.close();
		});
	}

	/** Runs a synchronous database step now, mapping driver errors to `ERR_DATABASE`. */
	#run<T>(step: () => T): Promise<T> {
		try {
			return Promise.resolve(step());
		} catch (error) {
			return Promise.reject(toDatabaseError(error));
		}
	}

	/** Runs a write step in the next shared commit (see `sqlite-group-commit.ts`). */
	#write<T>(step: () => T): Promise<T> {
		if (!this.#db.open) return this.#run(step);
		return this.#group.run(step);
	}
}

function toDatabaseError(error: unknown): FederationSenderError {
	return error instanceof FederationSenderError
		? error
		: new FederationSenderError('ERR_DATABASE', `outbox database error: ${String(error)}`, { cause: error });
}

function toTransaction(destination: string, row: TxnRow): StoredTransaction {
	return {
		destination,
		txnId: row.txn_id,
		body: row.body,
		pduCount: row.pdu_count,
		eduCount: row.edu_count,
		attempts: row.attempts,
		createdTs: row.created_ts,
	};
}

function toBackoff(row: BackoffRow): BackoffState {
	return {
		failureTs: row.failure_ts ?? null,
		retryLastTs: row.retry_last_ts ?? 0,
		retryInterval: row.retry_interval ?? 0,
		failureCount: row.failure_count ?? 0,
	};
}
