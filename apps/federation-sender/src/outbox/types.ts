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
}

/** One row of `status`. */
export interface DestinationStatus {
	readonly destination: string;
	readonly pendingPdus: number;
	readonly pendingEdus: number;
	readonly deliveredItems: number;
	readonly rejectedPdus: number;
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
	): Promise<StoredTransaction | null>;
	/** Counts one HTTP attempt of an open transaction. */
	markAttempt(destination: string, txnId: string, nowMs: number): Promise<void>;
	/**
	 * Files a 200: the transaction and its items are marked delivered (PDUs named with an error in
	 * `pduResults` are marked rejected with it) and the destination's backoff is cleared, all at once.
	 */
	completeTransaction(
		destination: string,
		txnId: string,
		pduResults: ReadonlyMap<string, string | null>,
		responseJson: string,
		nowMs: number,
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
	 * Takes the lock that lets one `run` deliver from this outbox (so "one transaction in flight per
	 * destination" holds across processes); throws `ERR_ALREADY_RUNNING` when another process holds it.
	 * The lock dies with the process.
	 */
	acquireRunLock(): Promise<RunLock>;
	close(): Promise<void>;
}

/** A held run lock. */
export interface RunLock {
	release(): Promise<void>;
}
