/**
 * Synapse's request retry schedules (synapse/http/matrixfederationclient.py `_send_request`), in the one place both
 * apps take them from (docs/architecture.md 5): the **long** schedule of requests nobody waits for (the sender's
 * `/send`: up to `max_long_retries`, the n-th retry after min(4^n s, `max_long_retry_delay`)) and the **short** one
 * of requests someone waits for (the media fetcher's downloads: up to `max_short_retries`, the n-th after
 * min(0.5 × 2^(n-1) s, `max_short_retry_delay`), i.e. 0.5 s, 1 s, 2 s). Each delay is multiplied by U(0.8, 1.4).
 * What is retried is each caller's decision; this module only says how often and how long to wait.
 */
import type { FederationRetryConfig } from '@homeserver/config';

/** A random source in [0, 1), `Math.random` by default; tests pin it. */
export type Random = () => number;

/** A retry schedule: the n-th retry (1-based) waits min(base^n × unitMs, maxDelayMs) × U(jitter). */
export interface RetrySchedule {
	/** Retries after the first attempt. */
	readonly maxRetries: number;
	/** Base of the exponential delay (4 for the long schedule, 2 for the short one). */
	readonly base: number;
	/** Milliseconds multiplied by base^n (1000 for 4^n s; 250 for 0.5 × 2^(n-1) s). */
	readonly unitMs: number;
	/** Cap of one delay before the jitter. */
	readonly maxDelayMs: number;
	/** Range of the jitter factor ([0.8, 1.4] in Synapse). */
	readonly jitter: readonly [number, number];
}

const SYNAPSE_JITTER = Object.freeze([0.8, 1.4] as const);

/** Synapse's long schedule with its defaults (10 retries, 60 s cap). */
export const DEFAULT_LONG_RETRY_SCHEDULE: RetrySchedule = Object.freeze({
	maxRetries: 10,
	base: 4,
	unitMs: 1000,
	maxDelayMs: 60_000,
	jitter: SYNAPSE_JITTER,
});

/** Synapse's short schedule with its defaults (3 retries, 2 s cap). */
export const DEFAULT_SHORT_RETRY_SCHEDULE: RetrySchedule = Object.freeze({
	maxRetries: 3,
	base: 2,
	unitMs: 250,
	maxDelayMs: 2_000,
	jitter: SYNAPSE_JITTER,
});

/** The long schedule an operator set in `federation:` (`max_long_retries`, `max_long_retry_delay`). */
export function longRetryScheduleFromConfig(federation: FederationRetryConfig): RetrySchedule {
	return Object.freeze({
		...DEFAULT_LONG_RETRY_SCHEDULE,
		maxRetries: federation.maxLongRetries,
		maxDelayMs: federation.maxLongRetryDelayMs,
	});
}

/** The short schedule an operator set in `federation:` (`max_short_retries`, `max_short_retry_delay`). */
export function shortRetryScheduleFromConfig(federation: FederationRetryConfig): RetrySchedule {
	return Object.freeze({
		...DEFAULT_SHORT_RETRY_SCHEDULE,
		maxRetries: federation.maxShortRetries,
		maxDelayMs: federation.maxShortRetryDelayMs,
	});
}

/** `U(low, high)` from a [0, 1) source. */
export function uniform(random: Random, [low, high]: readonly [number, number]): number {
	return low + (high - low) * random();
}

/** Delay in milliseconds before retry number `retry` (1-based) of `schedule`. */
export function retryDelay(retry: number, schedule: RetrySchedule, random: Random): number {
	const raw = Math.min(schedule.base ** retry * schedule.unitMs, schedule.maxDelayMs);
	return Math.trunc(raw * uniform(random, schedule.jitter));
}
