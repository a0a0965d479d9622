/**
 * Synapse's short retries for a request someone waits for (synapse/http/matrixfederationclient.py, `long_retries`
 * false): a federation request of a download that failed at the network level, before any answer
 * (`isNetworkFailure` of `@homeserver/federation`), is sent again up to `max_short_retries` times, the n-th time
 * after federation's short schedule (0.5 s, 1 s, 2 s..., capped by `max_short_retry_delay`, jittered). Never after
 * an answer or once body bytes were read (only the request up to its response headers is repeated), never after an
 * abort, and never past the download's overall deadline: a retry whose delay would not end before it is not made.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { isNetworkFailure, retryDelay } from '@homeserver/federation';
import type { Random, RetrySchedule } from '@homeserver/federation';

/** How a source retries; tests pin the jitter and skip the waits. */
export interface ShortRetryOptions {
	/** Federation's short schedule (`shortRetryScheduleFromConfig(config.federation)`). */
	readonly schedule: RetrySchedule;
	/** Jitter source (default `Math.random`). */
	readonly random?: Random;
	/** Waits `ms` unless `signal` aborts first (default `node:timers/promises` `setTimeout`). */
	readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/** One retried request: the download's signal and time left, and who hears of each retry. */
export interface ShortRetryContext {
	readonly signal?: AbortSignal | undefined;
	/** Milliseconds left of the download's overall deadline (none: only the signal bounds it). */
	readonly remainingMs?: (() => number) | undefined;
	/** Called before each wait: retry number (1-based), the wait, the failure being retried. */
	readonly onRetry?: (retry: number, delayMs: number, error: unknown) => void;
}

const defaultSleep = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
	sleepFor(ms, undefined, signal === undefined ? {} : { signal });

/** Runs `attempt`, retrying network-level failures on the short schedule; rejects with the last failure. */
export async function withShortRetries<T>(
	attempt: () => Promise<T>,
	options: ShortRetryOptions,
	context: ShortRetryContext = {},
): Promise<T> {
	const random = options.random ?? Math.random;
	const sleep = options.sleep ?? defaultSleep;
	for (let retry = 1; ; retry++) {
		try {
			return await attempt();
		} catch (error) {
			if (context.signal?.aborted === true) throw error;
			if (retry > options.schedule.maxRetries || !isNetworkFailure(error)) throw error;
			const delayMs = retryDelay(retry, options.schedule, random);
			if (context.remainingMs !== undefined && delayMs >= context.remainingMs()) throw error;
			context.onRetry?.(retry, delayMs, error);
			try {
				await sleep(delayMs, context.signal);
			} catch {
				throw error; // the download was aborted while waiting (its deadline, or nobody waits any more)
			}
		}
	}
}
