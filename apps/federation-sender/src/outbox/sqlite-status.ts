/** The `status` query of the SQLite outbox: one row per destination, in a single read transaction. */
import type Database from 'better-sqlite3';
import type { DestinationStatus } from './types.js';

interface CountRow {
	destination: string;
	kind: 'pdu' | 'edu';
	state: string;
	n: number;
}

interface OpenRow {
	destination: string;
	txn_id: string;
	pdu_count: number;
	edu_count: number;
	attempts: number;
	created_ts: number;
	last_attempt_ts: number | null;
	last_error: string | null;
}

interface DestinationRow {
	destination: string;
	failure_ts: number | null;
	retry_last_ts: number;
	retry_interval: number;
	failure_count: number;
	last_error: string | null;
	last_success_ts: number | null;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Reads every destination's queue depth, open transaction and backoff. */
export function readStatus(db: Database.Database): DestinationStatus[] {
	return db
		.transaction(() => {
			const rows = new Map<string, Mutable<DestinationStatus>>();
			const row = (destination: string): Mutable<DestinationStatus> => {
				let entry = rows.get(destination);
				if (entry === undefined) {
					entry = {
						destination,
						pendingPdus: 0,
						pendingEdus: 0,
						deliveredItems: 0,
						rejectedPdus: 0,
						inFlight: null,
						backoff: { failureTs: null, retryLastTs: 0, retryInterval: 0, failureCount: 0 },
						lastError: null,
						lastSuccessTs: null,
					};
					rows.set(destination, entry);
				}
				return entry;
			};
			const counts = db
				.prepare(
					'SELECT destination, kind, state, count(*) AS n FROM items GROUP BY destination, kind, state',
				)
				.all() as CountRow[];
			for (const count of counts) {
				const entry = row(count.destination);
				if (count.state === 'pending' || count.state === 'sending') {
					if (count.kind === 'pdu') entry.pendingPdus += count.n;
					else entry.pendingEdus += count.n;
				} else if (count.state === 'delivered') entry.deliveredItems += count.n;
				else entry.rejectedPdus += count.n;
			}
			const open = db
				.prepare(
					"SELECT destination, txn_id, pdu_count, edu_count, attempts, created_ts, last_attempt_ts, last_error FROM transactions WHERE state = 'open'",
				)
				.all() as OpenRow[];
			for (const txn of open) {
				row(txn.destination).inFlight = {
					txnId: txn.txn_id,
					pduCount: txn.pdu_count,
					eduCount: txn.edu_count,
					attempts: txn.attempts,
					createdTs: txn.created_ts,
					lastAttemptTs: txn.last_attempt_ts,
					lastError: txn.last_error,
				};
			}
			const destinations = db.prepare('SELECT * FROM destinations').all() as DestinationRow[];
			for (const d of destinations) {
				const entry = row(d.destination);
				entry.backoff = {
					failureTs: d.failure_ts,
					retryLastTs: d.retry_last_ts,
					retryInterval: d.retry_interval,
					failureCount: d.failure_count,
				};
				entry.lastError = d.last_error;
				entry.lastSuccessTs = d.last_success_ts;
			}
			return [...rows.values()].sort((a, b) => (a.destination < b.destination ? -1 : 1));
		})
		.deferred();
}
