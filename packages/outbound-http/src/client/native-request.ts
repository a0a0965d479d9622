import { request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { keepSocketAfterResponse } from './keep-socket-after-response.js';

type ResponseCallback = (response: IncomingMessage) => void;

/**
 * got's `request` option: `node:http(s).request` with got's native options minus the keys it left undefined.
 * got 14 builds every request's native options with about 30 named keys, most of them undefined for our requests
 * (client certificates, ciphers, `lookup`, `timeout`, ...); Node copies and checks each one (`https.request` took
 * about three times as long with them as without). An undefined key and an absent one mean the same to Node, so
 * behaviour does not change. got calls this for every hop (redirects and retries included). The request keeps its
 * socket for reuse when got destroys it after a complete response ({@link keepSocketAfterResponse}).
 */
export function nativeRequest(url: URL, options: RequestOptions, callback?: ResponseCallback): ClientRequest {
	const defined: Record<string, unknown> = {};
	const source = options as Record<string, unknown>;
	for (const key in source) {
		const value = source[key];
		if (value !== undefined) defined[key] = value;
	}
	const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
	return keepSocketAfterResponse(request(url, defined as RequestOptions, callback));
}
