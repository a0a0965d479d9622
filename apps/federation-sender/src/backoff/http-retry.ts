/**
 * The short, HTTP-level retries made inside one send before the destination is backed off (Synapse's
 * "long retries" for `/send`, synapse/http/matrixfederationclient.py): up to 10 retries, the n-th after
 * min(4^n s, 60 s) × U(0.8, 1.4). Connection errors, timeouts, 5xx and 429 are retried; other answers are not.
 */
import type { FederationRetryConfig } from '@homeserver/config';
import { uniform, type Random } from './policy.js';

/** The HTTP-level retry schedule. */
export interface HttpRetryPolicy {
	/** Retries after the first attempt (10). */
	readonly maxRetries: number;
	/** Base of the exponential delay in milliseconds (4^n s → base 4, unit 1000). */
	readonly base: number;
	readonly unitMs: number;
	/** Cap of one delay (60 s). A 429 asking for longer ends the send and goes to backoff. */
	readonly maxDelayMs: number;
	readonly jitter: readonly [number, number];
}

/** Synapse's values for `/send`. */
export const DEFAULT_HTTP_RETRY_POLICY: HttpRetryPolicy = Object.freeze({
	maxRetries: 10,
	base: 4,
	unitMs: 1000,
	maxDelayMs: 60_000,
	jitter: Object.freeze([0.8, 1.4] as const),
});

/**
 * The long-retry schedule an operator set in Synapse's `federation:` section: `max_long_retries` retries, each
 * delay capped by `max_long_retry_delay` (the 4^n growth and the jitter are Synapse's).
 */
export function httpRetryPolicyFromConfig(federation: FederationRetryConfig): HttpRetryPolicy {
	return Object.freeze({
		...DEFAULT_HTTP_RETRY_POLICY,
		maxRetries: federation.maxLongRetries,
		maxDelayMs: federation.maxLongRetryDelayMs,
	});
}

/** Delay before retry number `retry` (1-based). */
export function httpRetryDelay(retry: number, policy: HttpRetryPolicy, random: Random): number {
	const raw = Math.min(policy.base ** retry * policy.unitMs, policy.maxDelayMs);
	return Math.trunc(raw * uniform(random, policy.jitter));
}

/** Whether an HTTP status is worth an immediate retry of the same transaction. */
export function isRetryableStatus(status: number): boolean {
	return status >= 500 || status === 429;
}
