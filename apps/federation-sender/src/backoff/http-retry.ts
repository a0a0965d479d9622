/**
 * The short, HTTP-level retries made inside one send before the destination is backed off. Their schedule is
 * Synapse's long one for `/send`, shared with the media fetcher in `@homeserver/federation` (`retry-schedule.ts`:
 * up to `max_long_retries`, the n-th after min(4^n s, `max_long_retry_delay`) × U(0.8, 1.4)); what is ours is
 * which failures are retried: 5xx and 429 answers, never other answers, and failures without an answer unless they
 * fail the same way every time (docs/architecture.md 3.6). A transaction is idempotent (the remote de-duplicates
 * its txnId), so a send cut at any point, a proxy that crashed mid-tunnel included, may be repeated.
 */
import { isOutboundHttpError } from '@homeserver/outbound-http';
import type { OutboundHttpErrorCode } from '@homeserver/outbound-http';
import { isNetworkFailure, type RetrySchedule } from '@homeserver/federation';

/** The HTTP-level retry schedule of a send (federation's long {@link RetrySchedule}). */
export type HttpRetryPolicy = RetrySchedule;

/** Whether an HTTP status is worth an immediate retry of the same transaction. */
export function isRetryableStatus(status: number): boolean {
	return status >= 500 || status === 429;
}

/**
 * Failures that a retry a few seconds later repeats exactly: the configuration refuses the address, the destination's
 * certificate is not trusted, the proxy wants other credentials, the answer is too large, the URL cannot be
 * requested. A proxy's refusal too, except its 502, 503 and 504 (it could not reach the destination, which may
 * come back: Squid's answer for a refused port).
 */
const PERMANENT: ReadonlySet<OutboundHttpErrorCode> = new Set<OutboundHttpErrorCode>([
	'ERR_IP_BLOCKED',
	'ERR_DESTINATION_TLS',
	'ERR_PROXY_AUTH_REQUIRED',
	'ERR_RESPONSE_TOO_LARGE',
	'ERR_INVALID_URL',
	'ERR_UNSUPPORTED_PROTOCOL',
]);

/** Whether a send that failed without an answer is worth an immediate retry of the same transaction. */
export function isRetryableFailure(error: unknown): boolean {
	if (!isOutboundHttpError(error)) return true;
	// The proxy's refusals that mean "destination unreachable" are network-level; federation says which.
	if (error.code === 'ERR_PROXY_REFUSED') return isNetworkFailure(error);
	return !PERMANENT.has(error.code);
}
