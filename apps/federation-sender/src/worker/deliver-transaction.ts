/**
 * One send of a stored transaction with Synapse's short HTTP-level retries: the same txnId and body each
 * time, until a 200, a non-retryable answer, the retry budget running out, a timeout (a slow remote is not
 * retried within the turn: it goes to backoff), a failure that a retry repeats exactly (a blocked address, an
 * untrusted certificate, the proxy's 407: `isRetryableFailure`), or shutdown.
 */
import { isOutboundHttpError } from '@homeserver/outbound-http';
import { sleep, type Clock } from '../clock.js';
import { errorCode } from '@homeserver/config';
import { describeError } from '../errors.js';
import { retryDelay, type Random } from '@homeserver/federation';
import { isRetryableFailure, isRetryableStatus, type HttpRetryPolicy } from '../backoff/http-retry.js';
import type { AbortFanout } from './abort-fanout.js';
import type { OutboxStore, StoredTransaction } from '../outbox/types.js';
import type { SendTransaction, WorkerEventMap } from './types.js';

/** How one send ended. */
export type SendOutcome =
	| { readonly kind: 'ok'; readonly body: unknown }
	| {
			readonly kind: 'failed';
			readonly error: string;
			readonly retryAfterMs: number | undefined;
			/** Refused by `federation_domain_whitelist` (`ERR_FEDERATION_DENIED`): no request was made. */
			readonly denied?: true;
	  }
	| { readonly kind: 'aborted' };

/** What {@link deliverTransaction} needs. */
export interface DeliverContext {
	readonly store: OutboxStore;
	readonly send: SendTransaction;
	readonly clock: Clock;
	readonly random: Random;
	readonly policy: HttpRetryPolicy;
	/** Largest wait a destination may ask for (the backoff cap); longer requests are clamped. */
	readonly maxRetryAfterMs: number;
	/** Aborts sleeping retries (shutdown begins). */
	readonly sleepSignal: AbortSignal;
	/** Aborts requests in flight (shutdown grace over). */
	readonly sendSignal: AbortSignal;
	/** Per-sleep child signals of `sleepSignal` (one listener on the shared signal, not one per sleep). */
	readonly sleeps: AbortFanout;
	/** Per-request child signals of `sendSignal` (one listener on the shared signal, not one per request). */
	readonly sends: AbortFanout;
	readonly emit: <K extends keyof WorkerEventMap>(event: K, ...args: WorkerEventMap[K]) => void;
}

/** Reads a wait request from a 429: the transport's value, else the body's `retry_after_ms`. */
export function retryAfterOf(
	result: { body: unknown; retryAfterMs?: number | undefined },
	cap: number,
): number | undefined {
	let value = result.retryAfterMs;
	if (value === undefined && typeof result.body === 'object' && result.body !== null) {
		const field = (result.body as Record<string, unknown>)['retry_after_ms'];
		if (typeof field === 'number') value = field;
	}
	if (value === undefined || !Number.isFinite(value) || value < 0) return undefined;
	return Math.min(Math.trunc(value), cap);
}

/** Sends `txn`, retrying at the HTTP level; never throws for network or HTTP failures. */
export async function deliverTransaction(ctx: DeliverContext, txn: StoredTransaction): Promise<SendOutcome> {
	const { destination, txnId } = txn;
	for (let retry = 0; ; retry++) {
		if (ctx.sleepSignal.aborted) return { kind: 'aborted' };
		await ctx.store.markAttempt(destination, txnId, ctx.clock.now());
		ctx.emit('attempt', { destination, txnId, attempt: retry + 1, total: txn.attempts + retry + 1 });
		let error: string;
		let retryAfterMs: number | undefined;
		try {
			const result = await ctx.sends.run((signal) => ctx.send(destination, txnId, txn.body, { signal }));
			if (result.status === 200) return { kind: 'ok', body: result.body };
			error = `HTTP ${result.status}${describeBody(result.body)}`;
			if (result.status === 429) retryAfterMs = retryAfterOf(result, ctx.maxRetryAfterMs);
			if (!isRetryableStatus(result.status)) return { kind: 'failed', error, retryAfterMs };
		} catch (thrown) {
			if (ctx.sendSignal.aborted) return { kind: 'aborted' };
			error = describeError(thrown);
			// federation_domain_whitelist refuses the destination until the configuration changes: no HTTP-level
			// retries, and the longest backoff for as long as this configuration runs (see take-turn.ts; the items
			// stay queued; `status` shows the code as the last error).
			if (isOutboundHttpError(thrown, 'ERR_FEDERATION_DENIED')) {
				return { kind: 'failed', error, retryAfterMs: ctx.maxRetryAfterMs, denied: true };
			}
			// A remote too slow for a deadline (the attempt's, or a phase's: headers, body rate) is backed off like a
			// failing one at once: a short retry would hold this slot for another whole deadline.
			if (isTimeout(thrown)) return { kind: 'failed', error, retryAfterMs: undefined };
			// A refused address (ERR_IP_BLOCKED), an untrusted certificate or the proxy's 407 fails the same way on
			// every retry: the destination is backed off at once instead.
			if (!isRetryableFailure(thrown)) return { kind: 'failed', error, retryAfterMs: undefined };
		}
		if (retry >= ctx.policy.maxRetries) return { kind: 'failed', error, retryAfterMs };
		const delayMs = Math.max(retryDelay(retry + 1, ctx.policy, ctx.random), retryAfterMs ?? 0);
		if (delayMs > ctx.policy.maxDelayMs) return { kind: 'failed', error, retryAfterMs };
		ctx.emit('retry', { destination, txnId, delayMs, error });
		try {
			await ctx.sleeps.run((signal) => sleep(ctx.clock, delayMs, signal));
		} catch {
			return { kind: 'aborted' };
		}
	}
}

/** Whether a send failed on a deadline (`ERR_TIMEOUT`, any phase), as opposed to a refused or reset connection. */
function isTimeout(error: unknown): boolean {
	return errorCode(error) === 'ERR_TIMEOUT';
}

/** ` M_FOO: message` from a Matrix error body, bounded, for stored errors. */
function describeBody(body: unknown): string {
	if (typeof body !== 'object' || body === null) return '';
	const { errcode, error } = body as Record<string, unknown>;
	const code = typeof errcode === 'string' ? ` ${errcode.slice(0, 64)}` : '';
	const text = typeof error === 'string' ? `: ${error.slice(0, 200)}` : '';
	return `${code}${text}`;
}

/**
 * The per-PDU outcomes of a 200 answer (`{"pdus": {"$event": {} | {"error": "..."}}}`), bounded and
 * validated because the answer comes from the network: event id → error text, or null for success.
 */
export function parsePduResults(body: unknown): Map<string, string | null> {
	const results = new Map<string, string | null>();
	if (typeof body !== 'object' || body === null) return results;
	const pdus = (body as Record<string, unknown>)['pdus'];
	if (typeof pdus !== 'object' || pdus === null || Array.isArray(pdus)) return results;
	for (const [eventId, outcome] of Object.entries(pdus).slice(0, 1000)) {
		const error =
			typeof outcome === 'object' && outcome !== null
				? (outcome as Record<string, unknown>)['error']
				: undefined;
		results.set(eventId.slice(0, 255), error === undefined ? null : describeRemoteError(error));
	}
	return results;
}

/** A remote's per-PDU error as bounded text (it is normally a string). */
function describeRemoteError(error: unknown): string {
	const text = typeof error === 'string' ? error : (JSON.stringify(error) ?? 'error');
	return text.slice(0, 1000);
}
