/**
 * The outbox contract: what the worker and the CLI need from storage, independent of the database engine,
 * so that a PostgreSQL implementation can sit beside the SQLite one. Every method is async for that reason.
 */

/** A PDU or an EDU, validated and serialised once (see `parseItems`). */
export interface NewItem {
	readonly kind: 'pdu' | 'edu';
	/** The exact JSON text stored and later placed in a transaction body. */
	readonly json: string;
	/** The PDU's `event_id` when it carries one (room versions 1 and 2), used to file per-PDU errors. */
	readonly eventId: string | null;
}

/** An item as committed, returned by {@link OutboxStore.enqueue}. */
export interface StoredItem {
	/** Global sequence number: the delivery order within a destination. */
	readonly seq: number;
	readonly destination: string;
	readonly kind: 'pdu' | 'edu';
	readonly eventId: string | null;
	/** Size of the stored JSON in bytes. */
	readonly bytes: number;
	readonly enqueuedTs: number;
}

/** A transaction as stored before its first send; re-sent byte for byte until a 200. */
export interface StoredTransaction {
	readonly destination: string;
	readonly txnId: string;
	/** The exact request body. */
	readonly body: string;
	readonly pduCount: number;
	readonly eduCount: number;
	/** HTTP attempts so far (across restarts). */
	readonly attempts: number;
	readonly createdTs: number;
}

/** Limits of one transaction (the spec's 50 PDUs and 100 EDUs). */
export interface TransactionLimits {
	readonly maxPdus: number;
	readonly maxEdus: number;
}

/** Options of {@link OutboxStore.nextTransaction}. */
export interface NextTransactionOptions {
	/** Only when this instance holds the destination's lease (checked in the same database transaction). */
	readonly leaseHolder?: string;
	/** EDUs of these types older than `maxAgeMs` are dropped (filed as rejected `expired`) instead of sent. */
	readonly ephemeralEdus?: { readonly types: readonly string[]; readonly maxAgeMs: number };
}

/** Per-destination retry state, stored so that a restart keeps it (Synapse's `destinations` table). */
export interface BackoffState {
	/** When the backoff started (first failure of the current run of failures), or null. */
	readonly failureTs: number | null;
	/** When the current interval started counting. */
	readonly retryLastTs: number;
	/** Milliseconds to wait after `retryLastTs`; 0 when the destination is not backed off. */
	readonly retryInterval: number;
	/** Consecutive failed sends. */
	readonly failureCount: number;
}

/** The no-backoff state. */
export const NO_BACKOFF: BackoffState = Object.freeze({
	failureTs: null,
	retryLastTs: 0,
	retryInterval: 0,
	failureCount: 0,
});

/** A destination with something to deliver (pending items or an open transaction). */
export interface PendingWork {
	readonly destination: string;
	readonly backoff: BackoffState;
}

/** One PDU the destination refused inside a 200 answer (final, never re-sent). */
export interface RejectedPdu {
	readonly seq: number;
	readonly eventId: string;
	readonly error: string;
}

/** What {@link OutboxStore.completeTransaction} filed. */
export interface CompletionSummary {
	readonly delivered: number;
	readonly rejected: readonly RejectedPdu[];
	/** Queued PDUs skipped by catch-up because a newer PDU of their room is still queued (`catch-up.ts`). */
	readonly superseded: number;
}

/** Options of {@link OutboxStore.completeTransaction}. */
export interface CompleteTransactionOptions {
	/**
	 * Catch-up: when this 200 ends a run of failures that began more than this many ms ago, the older queued PDUs
	 * of each room are marked superseded and only the newest of each room is sent (`catch-up.ts`). Unset: never.
	 */
	readonly catchUpAfterMs?: number;
}

/** One row of `status`. */
export interface DestinationStatus {
	readonly destination: string;
	readonly pendingPdus: number;
	readonly pendingEdus: number;
	readonly deliveredItems: number;
	readonly rejectedPdus: number;
	/** Ephemeral EDUs dropped because they were older than `federation_sender.ephemeral_edus.max_age`. */
	readonly expiredEdus: number;
	/** Older queued PDUs of a room skipped by catch-up after a long outage (the remote fetches them itself). */
	readonly supersededPdus: number;
	readonly inFlight: {
		readonly txnId: string;
		readonly pduCount: number;
		readonly eduCount: number;
		readonly attempts: number;
		readonly createdTs: number;
		readonly lastAttemptTs: number | null;
		readonly lastError: string | null;
	} | null;
	readonly backoff: BackoffState;
	readonly lastError: string | null;
	readonly lastSuccessTs: number | null;
	/** The `run` instance holding the destination's lease (PostgreSQL), or null (SQLite, or no lease). */
	readonly lease: { readonly instance: string; readonly expiresTs: number } | null;
}

/** What an instance learns from one heartbeat. */
export interface Heartbeat {
	/** Names of the instances alive now (heartbeat within the lease TTL), sorted; includes the caller. */
	readonly live: readonly string[];
	/** Destinations whose lease the caller still holds (each extended by the TTL). */
	readonly held: readonly string[];
}

/**
 * Destination leases shared by several `run` instances (PostgreSQL; docs/architecture.md 5). Times are the
 * database's clock, so the instances' clocks need not agree. A lease lasts `ttlMs` after the holder's last
 * heartbeat; a destination is worked only by the instance holding its lease.
 */
export interface LeaseTable {
	/** Records `instance` as alive, extends its leases, and says who is alive and what it holds. */
	heartbeat(instance: string, ttlMs: number): Promise<Heartbeat>;
	/** Takes the leases of `destinations` that are free or expired (or already ours); returns the ones now held. */
	claim(instance: string, destinations: readonly string[], ttlMs: number): Promise<string[]>;
	/** Gives leases back (a destination that now belongs to another instance, or shutdown). */
	release(instance: string, destinations: readonly string[]): Promise<void>;
	/** Removes the instance and all its leases (clean shutdown), so the others take over at once. */
	leave(instance: string): Promise<void>;
}

/** Durable storage of the outbox, transactions and destination backoff. */
export interface OutboxStore {
	/** Stores `items` for `destination` in one database transaction; resolves only once committed. */
	enqueue(destination: string, items: readonly NewItem[], nowMs: number): Promise<StoredItem[]>;
	/**
	 * The destination's open transaction, or a new one built from its oldest pending items (stored with
	 * its txnId and exact body before it is returned), or null when there is nothing to send.
	 */
	nextTransaction(
		destination: string,
		origin: string,
		nowMs: number,
		limits: TransactionLimits,
		options?: NextTransactionOptions,
	): Promise<StoredTransaction | null>;
	/** Counts one HTTP attempt of an open transaction. */
	markAttempt(destination: string, txnId: string, nowMs: number): Promise<void>;
	/**
	 * Files a 200: the transaction and its items are marked delivered (PDUs named with an error in
	 * `pduResults` are marked rejected with it), the destination's backoff is cleared and, when the 200 ends a
	 * long outage (`options.catchUpAfterMs`), the older queued PDUs of each room are superseded, all at once.
	 */
	completeTransaction(
		destination: string,
		txnId: string,
		pduResults: ReadonlyMap<string, string | null>,
		responseJson: string,
		nowMs: number,
		options?: CompleteTransactionOptions,
	): Promise<CompletionSummary>;
	/** Files a failed send: the error on the transaction and the destination, and the new backoff. */
	recordFailure(
		destination: string,
		txnId: string,
		error: string,
		backoff: BackoffState,
		nowMs: number,
	): Promise<void>;
	/** The destination's stored backoff ({@link NO_BACKOFF} when unknown). */
	getBackoff(destination: string): Promise<BackoffState>;
	/** Every destination with something to deliver, with its backoff. */
	pendingWork(): Promise<PendingWork[]>;
	/** One row per destination known to the outbox. */
	status(): Promise<DestinationStatus[]>;
	/**
	 * A value that changes when another process commits (SQLite `data_version`); the worker rescans
	 * `pendingWork` only then. Implementations without a cheap signal return a fresh value every call.
	 */
	changeToken(): Promise<string>;
	/**
	 * Calls `onChange` soon (milliseconds) after another process commits new work: with the destination when
	 * known (PostgreSQL `LISTEN`), else null (SQLite `data_version`). With {@link leases}, `onLeases` is called with
	 * an instance's name when that instance joined, gave leases back or left. Resolves with a function that stops it.
	 */
	watchChanges(
		onChange: (destination: string | null) => void,
		onLeases?: (instance: string) => void,
	): Promise<() => Promise<void>>;
	/** The lease table when several instances may share this outbox (PostgreSQL), else null (one `run`). */
	readonly leases: LeaseTable | null;
	/**
	 * Deletes delivered, rejected and superseded items and delivered transactions finished before `beforeMs`;
	 * returns rows removed.
	 */
	prune(beforeMs: number): Promise<number>;
	/** Rows in the outbox (items and transactions), for `status`. */
	size(): Promise<{ readonly items: number; readonly transactions: number }>;
	/**
	 * Takes the lock that lets one `run` deliver from this outbox as `instance` (SQLite: one `run` at all, so
	 * "one transaction in flight per destination" holds across processes; PostgreSQL: one process per instance
	 * name, the destinations being shared through {@link leases}); throws `ERR_ALREADY_RUNNING` when another
	 * process holds it. The lock dies with the process.
	 */
	acquireRunLock(instance?: string): Promise<RunLock>;
	close(): Promise<void>;
}

/** A held run lock. */
export interface RunLock {
	release(): Promise<void>;
}
