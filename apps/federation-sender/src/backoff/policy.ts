/**
 * Synapse's retry schedule for a destination (synapse/util/retryutils.py; defaults from
 * synapse/config/federation.py): after a failed send the destination is left alone for 10 minutes, then
 * each further failure multiplies the wait by 2 × U(0.8, 1.4), capped at 7 days. A 200 clears it.
 * Pure functions with an injectable random source, so tests can pin the jitter.
 */
import type { FederationRetryConfig } from '@homeserver/config';
import { uniform, type Random } from '@homeserver/federation';
import type { BackoffState } from '../outbox/types.js';

export type { Random } from '@homeserver/federation';

/** The per-destination schedule. */
export interface BackoffPolicy {
	/** First interval (`destination_min_retry_interval`, 10 minutes). */
	readonly minIntervalMs: number;
	/** Growth per failure (`destination_retry_multiplier`, 2). */
	readonly multiplier: number;
	/** Cap (`destination_max_retry_interval`, 7 days). */
	readonly maxIntervalMs: number;
	/** Jitter factor range, [0.8, 1.4] as in Synapse. */
	readonly jitter: readonly [number, number];
}

/** Synapse's defaults. */
export const DEFAULT_BACKOFF_POLICY: BackoffPolicy = Object.freeze({
	minIntervalMs: 10 * 60_000,
	multiplier: 2,
	maxIntervalMs: 7 * 24 * 3_600_000,
	jitter: Object.freeze([0.8, 1.4] as const),
});

/**
 * The schedule an operator set in Synapse's `federation:` section (`destination_min_retry_interval`,
 * `destination_retry_multiplier`, `destination_max_retry_interval`; the jitter is Synapse's, not configurable).
 */
export function backoffPolicyFromConfig(federation: FederationRetryConfig): BackoffPolicy {
	return Object.freeze({
		minIntervalMs: federation.destinationMinRetryIntervalMs,
		multiplier: federation.destinationRetryMultiplier,
		maxIntervalMs: federation.destinationMaxRetryIntervalMs,
		jitter: DEFAULT_BACKOFF_POLICY.jitter,
	});
}

/** The interval after one more failure: the minimum first, then `previous · multiplier · jitter`, capped. */
export function nextRetryInterval(previousMs: number, policy: BackoffPolicy, random: Random): number {
	if (previousMs <= 0) return policy.minIntervalMs;
	const grown = Math.trunc(previousMs * policy.multiplier * uniform(random, policy.jitter));
	return Math.min(Math.max(grown, policy.minIntervalMs), policy.maxIntervalMs);
}

/**
 * The state after a failed send at `nowMs`. A remote's `retry_after_ms` (429) raises the interval to at
 * least that, within the policy's cap, so a destination's own request to wait is honoured.
 */
export function backoffAfterFailure(
	previous: BackoffState,
	nowMs: number,
	policy: BackoffPolicy,
	random: Random,
	retryAfterMs?: number,
): BackoffState {
	let interval = nextRetryInterval(previous.retryInterval, policy, random);
	if (retryAfterMs !== undefined && retryAfterMs > interval)
		interval = Math.min(retryAfterMs, policy.maxIntervalMs);
	return {
		failureTs: previous.failureTs ?? nowMs,
		retryLastTs: nowMs,
		retryInterval: interval,
		failureCount: previous.failureCount + 1,
	};
}

/** When the destination may be tried again (0 when it is not backed off). */
export function retryAt(state: BackoffState): number {
	return state.retryInterval > 0 ? state.retryLastTs + state.retryInterval : 0;
}

/** Whether a backoff is in force at `nowMs`. */
export function isBackedOff(state: BackoffState, nowMs: number): boolean {
	return retryAt(state) > nowMs;
}
