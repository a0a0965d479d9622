/** Assembles `status` rows from three simple queries, shared by the SQLite and PostgreSQL outboxes. */
import type { DestinationStatus } from './types.js';

/** Items per destination, kind and state. */
export interface CountRow {
	destination: string;
	kind: string;
	state: string;
	n: number | string;
}

/** An open transaction. */
export interface OpenRow {
	destination: string;
	txn_id: string;
	pdu_count: number;
	edu_count: number;
	attempts: number;
	created_ts: number | string;
	last_attempt_ts: number | string | null;
	last_error: string | null;
}

/** A `destinations` row. */
export interface DestinationRow {
	destination: string;
	failure_ts: number | string | null;
	retry_last_ts: number | string;
	retry_interval: number | string;
	failure_count: number;
	last_error: string | null;
	last_success_ts: number | string | null;
}

/** A live lease. */
export interface LeaseRow {
	destination: string;
	instance: string;
	expires_ts: number | string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const num = (value: number | string): number => Number(value);
const numOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

/** One row per destination, sorted by name. Items in an open transaction count as queued. */
export function assembleStatus(
	counts: readonly CountRow[],
	open: readonly OpenRow[],
	destinations: readonly DestinationRow[],
	leases: readonly LeaseRow[] = [],
): DestinationStatus[] {
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
				expiredEdus: 0,
				supersededPdus: 0,
				inFlight: null,
				backoff: { failureTs: null, retryLastTs: 0, retryInterval: 0, failureCount: 0 },
				lastError: null,
				lastSuccessTs: null,
				lease: null,
			};
			rows.set(destination, entry);
		}
		return entry;
	};
	for (const count of counts) {
		const entry = row(count.destination);
		const n = num(count.n);
		if (count.state === 'pending' || count.state === 'sending') {
			if (count.kind === 'pdu') entry.pendingPdus += n;
			else entry.pendingEdus += n;
		} else if (count.state === 'delivered') entry.deliveredItems += n;
		else if (count.state === 'superseded') entry.supersededPdus += n;
		else if (count.kind === 'pdu') entry.rejectedPdus += n;
		else entry.expiredEdus += n; // an EDU is only ever "rejected" by expiry
	}
	for (const txn of open) {
		row(txn.destination).inFlight = {
			txnId: txn.txn_id,
			pduCount: txn.pdu_count,
			eduCount: txn.edu_count,
			attempts: txn.attempts,
			createdTs: num(txn.created_ts),
			lastAttemptTs: numOrNull(txn.last_attempt_ts),
			lastError: txn.last_error,
		};
	}
	for (const d of destinations) {
		const entry = row(d.destination);
		entry.backoff = {
			failureTs: numOrNull(d.failure_ts),
			retryLastTs: num(d.retry_last_ts),
			retryInterval: num(d.retry_interval),
			failureCount: d.failure_count,
		};
		entry.lastError = d.last_error;
		entry.lastSuccessTs = numOrNull(d.last_success_ts);
	}
	for (const lease of leases) {
		row(lease.destination).lease = { instance: lease.instance, expiresTs: num(lease.expires_ts) };
	}
	return [...rows.values()].sort((a, b) => (a.destination < b.destination ? -1 : 1));
}

/** The three status queries, with a table-name prefix (`` for SQLite, `federation_sender_` for PostgreSQL). */
export function statusQueries(prefix: string): { counts: string; open: string; destinations: string } {
	return {
		counts: `SELECT destination, kind, state, count(*) AS n FROM ${prefix}items GROUP BY destination, kind, state`,
		open: `SELECT destination, txn_id, pdu_count, edu_count, attempts, created_ts, last_attempt_ts, last_error FROM ${prefix}transactions WHERE state = 'open'`,
		destinations: `SELECT destination, failure_ts, retry_last_ts, retry_interval, failure_count, last_error, last_success_ts FROM ${prefix}destinations`,
	};
}
