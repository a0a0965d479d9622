/**
 * A remote body behind the minimum-rate guard of the download ({@link bodyRateGuard}): a trickle fails with
 * `ERR_REMOTE_TOO_SLOW`, and destroying either end destroys the other (the transfer stops, the socket is freed).
 */
import { pipeline, type Readable } from 'node:stream';
import { MediaFetcherError } from '../errors.js';
import { bodyRateGuard } from './body-rate.js';

/** `media_fetcher.min_download_rate` over `media_fetcher.download_rate_window`. */
export interface BodyRate {
	readonly minBytesPerSecond: number;
	readonly windowMs: number;
}

/** `body` behind the guard, or `body` itself when no rate is asked for. */
export function guardedBody(body: Readable, rate: BodyRate | undefined): Readable {
	if (rate === undefined || rate.minBytesPerSecond === 0) return body;
	const guard = bodyRateGuard({
		...rate,
		tooSlow: (received, windowMs) =>
			new MediaFetcherError(
				'ERR_REMOTE_TOO_SLOW',
				`The remote sent ${received} bytes in ${windowMs} ms, below ${rate.minBytesPerSecond} bytes/s`,
			),
	});
	// Errors reach whoever reads the guard; pipeline destroys the transport body when the guard fails or is destroyed.
	pipeline(body, guard, () => undefined);
	return guard;
}
