/**
 * The {@link RemoteMediaSource} of a real deployment: `GET /_matrix/federation/v1/media/download/{mediaId}`,
 * signed by the federation client, its `multipart/mixed` answer parsed as a stream; a `Location` answer fetched
 * unsigned with purpose `media_redirect` (routed and checked hop by hop by the outbound stack); the legacy
 * `/_matrix/media/v3/download/{server}/{mediaId}?allow_remote=false&timeout_ms=N&allow_redirect=true` (Synapse's
 * query) only when the remote does not know the federation endpoint, a 307/308 from it fetched like a `Location`.
 * Sizes are capped by the requests (announced Content-Length, then while streaming).
 */
import { encodePathSegment, MatrixRemoteError } from '@homeserver/federation';
import type { FederationClient } from '@homeserver/federation';
import type { OutboundHttp } from '@homeserver/outbound-http';
import type { Logger } from 'pino';
import { MediaFetcherError } from '../errors.js';
import type { MediaRef } from '../media-id.js';
import type { RemoteFetchOptions, RemoteMedia, RemoteMediaSource } from '../media-service.js';
import { readMultipartAnswer } from '../multipart/read-answer.js';
import { fetchLocation } from './fetch-location.js';
import { toMediaError } from './map-error.js';
import { mediaFrom } from './media-from.js';
import { withShortRetries, type ShortRetryOptions } from './short-retries.js';
import { openSigned, type SignedStreamOptions } from './signed-stream.js';
import { isUnknownEndpoint } from './unknown-endpoint.js';

/** Room for the multipart framing around the media: preamble, JSON part, part headers. */
export const MULTIPART_OVERHEAD_BYTES = 96 * 1024;
/** The remote may wait this long for media not yet uploaded (`timeout_ms`), unless the caller says otherwise. */
const DEFAULT_REMOTE_TIMEOUT_MS = 20_000;
/** Added to `timeout_ms` for the response headers to arrive. */
const HEADERS_MARGIN_MS = 15_000;

/** Options of {@link createFederationMediaSource}. */
export interface FederationMediaSourceOptions {
	/** Signed federation requests (`createFederationClient` of `@homeserver/federation`). */
	readonly client: Pick<FederationClient, 'stream'>;
	/** The outbound stack, for `Location` answers (purpose `media_redirect`). */
	readonly http: Pick<OutboundHttp, 'client'>;
	readonly logger: Logger;
	/**
	 * Short retries of the signed requests on network-level failures (Synapse's `max_short_retries`,
	 * `max_short_retry_delay`; `createRemoteSourceFromConfig` passes the `federation:` section's). Default: none.
	 */
	readonly retries?: ShortRetryOptions;
}

/** Builds the federation media source. */
export function createFederationMediaSource(options: FederationMediaSourceOptions): RemoteMediaSource {
	return {
		async fetch(ref: MediaRef, fetchOptions: RemoteFetchOptions): Promise<RemoteMedia> {
			try {
				return await fetchMedia(options, ref, fetchOptions);
			} catch (error) {
				throw toMediaError(error);
			}
		},
	};
}

async function fetchMedia(
	options: FederationMediaSourceOptions,
	ref: MediaRef,
	fetchOptions: RemoteFetchOptions,
): Promise<RemoteMedia> {
	const { maxBytes, signal } = fetchOptions;
	const timeoutMs = fetchOptions.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS;
	const log = options.logger.child({ media: `mxc://${ref.serverName}/${ref.mediaId}` });
	const path = `/_matrix/federation/v1/media/download/${encodePathSegment(ref.mediaId)}?timeout_ms=${timeoutMs}`;
	let answer;
	try {
		answer = await openRetried(options, ref, fetchOptions, path, {
			maxBytes: maxBytes + MULTIPART_OVERHEAD_BYTES,
			headersTimeoutMs: timeoutMs + HEADERS_MARGIN_MS,
			signal,
			bodyRate: fetchOptions.bodyRate,
		});
	} catch (error) {
		if (!(error instanceof MatrixRemoteError)) throw error;
		if (!isUnknownEndpoint(error)) throw remoteStatusError(ref, error);
		log.info(
			{ status: error.status, errcode: error.errcode ?? null },
			'federation media endpoint unknown: trying the legacy endpoint',
		);
		return legacyDownload(options, ref, fetchOptions, timeoutMs);
	}
	if (answer.status !== 200) {
		answer.body.destroy();
		throw remoteStatusError(ref, answer);
	}
	// The media body maps its own errors (toMediaError): no stream layer of its own for that.
	// The rate (the request's bodyRate) counts the raw bytes: a preamble or part headers dripped are cut too.
	const parsed = await readMultipartAnswer(answer.body, answer.headers['content-type'], {
		mapError: (error) => toMediaError(error),
	});
	if (parsed.kind === 'location') {
		log.debug('federation answer: Location');
		return fetchLocation(
			options.http,
			new URL(parsed.location, answer.url),
			maxBytes,
			timeoutMs + HEADERS_MARGIN_MS,
			signal,
			fetchOptions.bodyRate,
		);
	}
	log.debug('federation answer: inline media');
	return {
		contentType: parsed.headers.get('content-type') ?? null,
		contentDisposition: parsed.headers.get('content-disposition') ?? null,
		contentLength: null,
		body: parsed.body,
	};
}

/**
 * The signed request up to its response headers, sent again on a network-level failure when `retries` is set
 * (docs/architecture.md 5): the body is read only after this resolves, so no byte ever reaches the caller twice.
 */
function openRetried(
	options: FederationMediaSourceOptions,
	ref: MediaRef,
	fetchOptions: RemoteFetchOptions,
	path: string,
	request: SignedStreamOptions,
): ReturnType<typeof openSigned> {
	const open = (): ReturnType<typeof openSigned> => openSigned(options.client, ref.serverName, path, request);
	if (options.retries === undefined) return open();
	return withShortRetries(open, options.retries, {
		signal: fetchOptions.signal,
		remainingMs: fetchOptions.remainingMs,
		onRetry: (retry, delayMs, error) =>
			options.logger.info(
				{
					media: `mxc://${ref.serverName}/${ref.mediaId}`,
					retry,
					delayMs,
					code: (error as { code?: unknown }).code,
				},
				'federation media request failed before an answer; retrying',
			),
	});
}

async function legacyDownload(
	options: FederationMediaSourceOptions,
	ref: MediaRef,
	fetchOptions: RemoteFetchOptions,
	timeoutMs: number,
): Promise<RemoteMedia> {
	const { maxBytes, signal } = fetchOptions;
	const path =
		`/_matrix/media/v3/download/${encodePathSegment(ref.serverName)}/${encodePathSegment(ref.mediaId)}` +
		`?allow_remote=false&timeout_ms=${timeoutMs}&allow_redirect=true`;
	let answer;
	try {
		answer = await openRetried(options, ref, fetchOptions, path, {
			maxBytes,
			headersTimeoutMs: timeoutMs + HEADERS_MARGIN_MS,
			signal,
			bodyRate: fetchOptions.bodyRate,
		});
	} catch (error) {
		throw error instanceof MatrixRemoteError ? remoteStatusError(ref, error) : error;
	}
	if (answer.status === 200) {
		return mediaFrom(answer);
	}
	answer.body.destroy();
	const location = answer.headers.location;
	if ((answer.status === 307 || answer.status === 308) && location !== undefined) {
		return fetchLocation(
			options.http,
			new URL(location, answer.url),
			maxBytes,
			timeoutMs + HEADERS_MARGIN_MS,
			signal,
			fetchOptions.bodyRate,
		);
	}
	throw remoteStatusError(ref, answer);
}

/** A remote's answer that is not the media: 404 passed through, `M_TOO_LARGE` as too large, else a failure. */
function remoteStatusError(
	ref: MediaRef,
	answer: { readonly status: number; readonly errcode?: string | undefined },
): MediaFetcherError {
	const { status, errcode } = answer;
	const said = `${ref.serverName} answered ${status}${errcode === undefined ? '' : ` ${errcode}`}`;
	const cause = answer instanceof MatrixRemoteError ? { cause: answer } : {};
	if (status === 404) {
		return new MediaFetcherError('ERR_MEDIA_NOT_FOUND', `Remote media not found (${said})`, {
			status: 404,
			...cause,
		});
	}
	if (errcode === 'M_TOO_LARGE') {
		return new MediaFetcherError(
			'ERR_MEDIA_TOO_LARGE',
			`The remote refuses to serve it: too large (${said})`,
			cause,
		);
	}
	return new MediaFetcherError('ERR_REMOTE_FAILED', `Failed to fetch remote media (${said})`, cause);
}
