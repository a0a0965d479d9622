/** The worker's seams: the injected send function and the events it reports. */
import type { CompletionSummary } from '../outbox/types.js';

/** The destination's answer to one `PUT /send/{txnId}`. */
export interface SendResult {
	/** HTTP status. Only 200 completes a transaction. */
	readonly status: number;
	/** The parsed JSON body, or undefined when there was none or it was not JSON. */
	readonly body: unknown;
	/** A wait the destination asked for (429 `retry_after_ms` or `Retry-After`), when known to the transport. */
	readonly retryAfterMs?: number | undefined;
}

/**
 * Sends one transaction: `body` is the exact stored request body. Resolves with any HTTP answer; rejects only
 * when no answer came (connection, proxy, TLS, timeout), or when `signal` aborts (shutdown).
 */
export type SendTransaction = (
	destination: string,
	txnId: string,
	body: string,
	options: { readonly signal: AbortSignal },
) => Promise<SendResult>;

/** Events of {@link DeliveryWorker}, for metrics, logs and tests. */
export interface WorkerEventMap {
	/** One HTTP attempt is about to be made (`attempt` counts from 1 within this send, `total` across restarts). */
	attempt: [{ destination: string; txnId: string; attempt: number; total: number }];
	/** An attempt failed and the same transaction will be retried after `delayMs`. */
	retry: [{ destination: string; txnId: string; delayMs: number; error: string }];
	/** A 200 was filed. */
	delivered: [
		{ destination: string; txnId: string; pduCount: number; eduCount: number; summary: CompletionSummary },
	];
	/** A send failed: the destination is backed off until `retryAt`. */
	failed: [{ destination: string; txnId: string; error: string; retryAt: number; failureCount: number }];
	/** An unexpected error (database) in a destination's turn; it is retried later. */
	fault: [{ destination: string | null; error: unknown }];
	/** Nothing is running or ready (destinations may still wait for their backoff). */
	idle: [];
}
