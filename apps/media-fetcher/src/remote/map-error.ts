/**
 * Errors of a remote download, in this package's terms. The outbound HTTP stack reports typed errors with a
 * `code` (`ERR_RESPONSE_TOO_LARGE`, `ERR_TIMEOUT`, `ERR_IP_BLOCKED`...); a client of ours only needs to know
 * whether the media was too large, the remote too slow, or the fetch failed. The original stays on `cause`.
 */
import { Readable } from 'node:stream';
import { MediaFetcherError } from '../errors.js';

function codeOf(error: unknown): string | undefined {
	const code = (error as { code?: unknown } | null | undefined)?.code;
	return typeof code === 'string' ? code : undefined;
}

/** Maps any error of a remote fetch to a {@link MediaFetcherError} (ours pass through unchanged). */
export function toMediaError(error: unknown, what = 'Failed to fetch remote media'): MediaFetcherError {
	if (error instanceof MediaFetcherError) {
		return error;
	}
	const reason = error instanceof Error ? error.message : String(error);
	switch (codeOf(error)) {
		case 'ERR_RESPONSE_TOO_LARGE':
			return new MediaFetcherError('ERR_MEDIA_TOO_LARGE', `${what}: ${reason}`, { cause: error });
		case 'ERR_TIMEOUT':
		case 'ERR_PROXY_TIMEOUT':
			return new MediaFetcherError('ERR_REMOTE_TIMEOUT', `${what}: ${reason}`, { cause: error });
		default:
			return new MediaFetcherError('ERR_REMOTE_FAILED', `${what}: ${reason}`, { cause: error });
	}
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
