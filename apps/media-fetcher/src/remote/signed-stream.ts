/**
 * A signed federation GET through the federation client (resolution, X-Matrix, candidates in order, purpose
 * `federation`), with what a media download gives every request: a size cap, a deadline for the response headers
 * (the remote may wait `timeout_ms` for an upload), the download's minimum body rate and its abort signal. The client
 * does the work: the deadline is its `responseTimeout`, the rate the outbound stack's `bodyRate` for this request,
 * the signal cancels the request or, later, destroys the body.
 */
import type { FederationClient, FederationStream } from '@homeserver/federation';
import type { BodyRate } from '@homeserver/outbound-http';

/** Per-request options. */
export interface SignedStreamOptions {
	/** Cap on the whole response body, enforced while it streams (a larger Content-Length is refused at once). */
	readonly maxBytes: number;
	/** Time to wait for the response headers once the request is sent (`ERR_TIMEOUT`, phase `response`). */
	readonly headersTimeoutMs: number;
	/** Aborts the request (`ERR_ABORTED`, the reason on `cause`), or the body once the headers came. */
	readonly signal?: AbortSignal | undefined;
	/** The body's minimum rate, framing included (`ERR_TIMEOUT` phase `rate`); default: the outbound stack's. */
	readonly bodyRate?: BodyRate | undefined;
}

/**
 * Sends `GET path` to `destination`, signed; resolves once response headers arrive (2xx and 3xx answers; others
 * are thrown as `MatrixRemoteError`, transport failures as the outbound stack's typed errors).
 */
export function openSigned(
	client: Pick<FederationClient, 'stream'>,
	destination: string,
	path: string,
	options: SignedStreamOptions,
): Promise<FederationStream> {
	return client.stream(destination, {
		method: 'GET',
		path,
		maxBytes: options.maxBytes,
		responseTimeout: options.headersTimeoutMs,
		signal: options.signal,
		bodyRate: options.bodyRate,
	});
}
