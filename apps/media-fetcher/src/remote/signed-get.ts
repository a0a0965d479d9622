/**
 * A signed federation GET whose body is left to stream: the destination's server name resolved by the federation
 * package (`.well-known`, SRV, port 8448), the request signed with X-Matrix, sent with purpose `federation` (so
 * through `https_proxy` when one is set), candidates tried in order while they cannot be reached.
 */
import type { OutboundHttp } from '@homeserver/outbound-http';
import {
	buildXMatrixAuthorization,
	formatHostPort,
	type ServerResolver,
	type SigningKey,
} from '@homeserver/federation';
import type { OptionsInit } from 'got';
import { MediaFetcherError } from '../errors.js';
import { openStream, type OpenResponse } from './open-stream.js';

/** What signed requests need. */
export interface SignedGetContext {
	readonly http: Pick<OutboundHttp, 'client'>;
	readonly resolver: ServerResolver;
	/** Our `server_name` (the X-Matrix origin). */
	readonly origin: string;
	readonly key: SigningKey;
}

/** Per-request options. */
export interface SignedGetOptions {
	/** Cap on the whole response body (`context.maxBytes` of the outbound stack). */
	readonly maxBytes: number;
	/** Time to wait for response headers. */
	readonly responseTimeoutMs: number;
	/** Aborts the request and its body. */
	readonly signal?: AbortSignal | undefined;
}

/** Failures after which the next candidate (another SRV target) is worth trying. */
const NEXT_CANDIDATE = new Set(['ERR_DESTINATION_UNREACHABLE', 'ERR_DESTINATION_TLS', 'ERR_PROXY_REFUSED']);

/** Sends `GET pathAndQuery` to `destination`, signed; resolves once response headers arrive. */
export async function signedGet(
	context: SignedGetContext,
	destination: string,
	pathAndQuery: string,
	options: SignedGetOptions,
): Promise<OpenResponse & { readonly url: string }> {
	let candidates;
	try {
		candidates = await context.resolver.resolve(destination);
	} catch (error) {
		throw new MediaFetcherError('ERR_REMOTE_FAILED', `Cannot resolve ${destination}`, { cause: error });
	}
	const authorization = buildXMatrixAuthorization({
		method: 'GET',
		uri: pathAndQuery,
		origin: context.origin,
		destination,
		key: context.key,
	});
	const client = context.http.client('federation');
	let lastError: unknown = new MediaFetcherError('ERR_REMOTE_FAILED', `No address for ${destination}`);
	for (const candidate of candidates) {
		const url = `https://${formatHostPort(candidate.host, candidate.port)}${pathAndQuery}`;
		const request: OptionsInit = {
			headers: { host: candidate.hostHeader, authorization },
			throwHttpErrors: false,
			followRedirect: false,
			context: { maxBytes: options.maxBytes },
			timeout: { response: options.responseTimeoutMs },
			...(options.signal === undefined ? {} : { signal: options.signal }),
			...(candidate.host === candidate.serverName || candidate.sni === undefined
				? {}
				: { https: { serverName: candidate.sni } }),
		};
		try {
			return { ...(await openStream(client, url, request)), url };
		} catch (error) {
			lastError = error;
			const code = (error as { code?: unknown }).code;
			if (typeof code !== 'string' || !NEXT_CANDIDATE.has(code)) {
				break;
			}
		}
	}
	throw lastError;
}
