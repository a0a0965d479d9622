/**
 * Errors of a remote download, in this package's terms. The outbound HTTP stack reports typed errors with a
 * `code` (`ERR_RESPONSE_TOO_LARGE`, `ERR_TIMEOUT`, `ERR_IP_BLOCKED`...); a client of ours only needs to know
 * whether the media was too large, the remote too slow (below the download's minimum rate, which the outbound
 * stack enforces on every body of a download: `ERR_TIMEOUT` with phase `rate`), out of time, or the fetch failed.
 * The original stays on `cause`.
 */
import { Readable } from 'node:stream';
import { BODY_RATE_PHASE, isOutboundHttpError, RequestTimeoutError } from '@homeserver/outbound-http';
import type { OutboundHttpError } from '@homeserver/outbound-http';
import { MediaFetcherError } from '../errors.js';

/** The outbound stack's error: `error` itself, or the one got wrapped when a body stream failed. */
function outboundError(error: unknown): OutboundHttpError | undefined {
	if (isOutboundHttpError(error)) return error;
	const cause = error instanceof Error ? error.cause : undefined;
	return isOutboundHttpError(cause) ? cause : undefined;
}

/** Maps any error of a remote fetch to a {@link MediaFetcherError} (ours pass through unchanged). */
export function toMediaError(error: unknown, what = 'Failed to fetch remote media'): MediaFetcherError {
	if (error instanceof MediaFetcherError) {
		return error;
	}
	const reason = error instanceof Error ? error.message : String(error);
	const outbound = outboundError(error);
	const tooSlow = outbound instanceof RequestTimeoutError && outbound.phase === BODY_RATE_PHASE;
	if (isOutboundHttpError(outbound, 'ERR_RESPONSE_TOO_LARGE')) {
		return new MediaFetcherError('ERR_MEDIA_TOO_LARGE', `${what}: ${reason}`, { cause: error });
	}
	if (tooSlow) {
		return new MediaFetcherError('ERR_REMOTE_TOO_SLOW', `${what}: ${reason}`, { cause: error });
	}
	if (isOutboundHttpError(outbound, 'ERR_TIMEOUT') || isOutboundHttpError(outbound, 'ERR_PROXY_TIMEOUT')) {
		return new MediaFetcherError('ERR_REMOTE_TIMEOUT', `${what}: ${reason}`, { cause: error });
	}
	return new MediaFetcherError('ERR_REMOTE_FAILED', `${what}: ${reason}`, { cause: error });
}

/** A stream of `source`'s bytes whose errors are mapped with {@link toMediaError}; destroying it destroys `source`. */
export function withMediaErrors(source: Readable): Readable {
	async function* forward(): AsyncGenerator<Buffer> {
		try {
			for await (const chunk of source) {
				yield chunk as Buffer;
			}
		} catch (error) {
			throw toMediaError(error);
		} finally {
			source.destroy();
		}
	}
	return Readable.from(forward(), { objectMode: false });
}
