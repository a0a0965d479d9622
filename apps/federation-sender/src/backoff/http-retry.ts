/**
 * The short, HTTP-level retries made inside one send before the destination is backed off. Their schedule is
 * Synapse's long one for `/send`, shared with the media fetcher in `@homeserver/federation` (`retry-schedule.ts`:
 * up to `max_long_retries`, the n-th after min(4^n s, `max_long_retry_delay`) × U(0.8, 1.4)); what is ours is
 * which answers are retried: connection errors and 5xx and 429 answers, never other answers.
 */
import type { RetrySchedule } from '@homeserver/federation';

/** The HTTP-level retry schedule of a send (federation's long {@link RetrySchedule}). */
export type HttpRetryPolicy = RetrySchedule;

/** Whether an HTTP status is worth an immediate retry of the same transaction. */
export function isRetryableStatus(status: number): boolean {
	return status >= 500 || status === 429;
}
