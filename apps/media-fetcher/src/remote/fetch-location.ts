/**
 * Fetches media from a `Location` given by the remote: unsigned (the URL needs no authentication, and our
 * signature must not travel to a third party), with purpose `media_redirect`, so every hop (redirects included)
 * is routed by the outbound stack: through the proxy, with the federation IP blocklist applied.
 */
import type { BodyRate, OutboundHttp } from '@homeserver/outbound-http';
import { MediaFetcherError } from '../errors.js';
import type { RemoteMedia } from '../media-service.js';
import { mediaFrom } from './media-from.js';
import { openStream } from './open-stream.js';

/** Downloads `url`; any status but 2xx fails (`ERR_REMOTE_FAILED`), as in Synapse. */
export async function fetchLocation(
	http: Pick<OutboundHttp, 'client'>,
	url: URL,
	maxBytes: number,
	responseTimeoutMs: number,
	signal?: AbortSignal,
	bodyRate?: BodyRate,
): Promise<RemoteMedia> {
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new MediaFetcherError(
			'ERR_REMOTE_FAILED',
			`The remote gave a Location that is not http(s): ${url.protocol}`,
		);
	}
	const answer = await openStream(http.client('media_redirect'), url.href, {
		throwHttpErrors: false,
		followRedirect: true,
		maxRedirects: 5,
		// The download's minimum rate is the outbound stack's guard for this request (ERR_TIMEOUT, phase `rate`).
		context: bodyRate === undefined ? { maxBytes } : { maxBytes, bodyRate },
		timeout: { response: responseTimeoutMs },
		...(signal === undefined ? {} : { signal }),
	});
	if (answer.status < 200 || answer.status > 299) {
		answer.body.destroy();
		throw new MediaFetcherError('ERR_REMOTE_FAILED', `The media Location answered ${answer.status}`);
	}
	return mediaFrom(answer);
}
