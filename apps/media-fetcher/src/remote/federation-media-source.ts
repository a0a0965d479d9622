/**
 * The {@link RemoteMediaSource} of a real deployment: `GET /_matrix/federation/v1/media/download/{mediaId}`,
 * signed, its `multipart/mixed` answer parsed as a stream; a `Location` answer fetched unsigned with purpose
 * `media_redirect` (routed and checked hop by hop by the outbound stack); the legacy
 * `/_matrix/media/v3/download/{server}/{mediaId}?allow_remote=false` only when the remote does not know the
 * federation endpoint. Sizes are checked before reading (Content-Length) and while streaming.
 */
import type { Logger } from 'pino';
import { MediaFetcherError } from '../errors.js';
import type { MediaRef } from '../media-id.js';
import type { RemoteFetchOptions, RemoteMedia, RemoteMediaSource } from '../media-service.js';
import { readMultipartAnswer } from '../multipart/read-answer.js';
import { fetchLocation } from './fetch-location.js';
import { toMediaError, withMediaErrors } from './map-error.js';
import { mediaFrom } from './media-from.js';
import { readSmallBody, refuseAnnouncedOversize } from './open-stream.js';
import { isUnknownEndpoint, parseRemoteErrorBody } from './remote-error-body.js';
import { signedGet, type SignedGetContext } from './signed-get.js';

/** Room for the multipart framing around the media: preamble, JSON part, part headers. */
export const MULTIPART_OVERHEAD_BYTES = 96 * 1024;
/** The remote may wait this long for media not yet uploaded (`timeout_ms`), unless the caller says otherwise. */
const DEFAULT_REMOTE_TIMEOUT_MS = 20_000;
/** Added to `timeout_ms` for the response headers to arrive. */
const HEADERS_MARGIN_MS = 15_000;
const ERROR_BODY_LIMIT = 16 * 1024;

/** Options of {@link createFederationMediaSource}. */
export interface FederationMediaSourceOptions extends SignedGetContext {
	readonly logger: Logger;
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
	const { maxBytes } = fetchOptions;
	const timeoutMs = fetchOptions.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS;
	const log = options.logger.child({ media: `mxc://${ref.serverName}/${ref.mediaId}` });
	const path = `/_matrix/federation/v1/media/download/${encodeURIComponent(ref.mediaId)}?timeout_ms=${timeoutMs}`;
	const answer = await signedGet(options, ref.serverName, path, {
		maxBytes: maxBytes + MULTIPART_OVERHEAD_BYTES,
		responseTimeoutMs: timeoutMs + HEADERS_MARGIN_MS,
		signal: fetchOptions.signal,
	});
	const status = answer.response.statusCode;
	if (status === 200) {
		refuseAnnouncedOversize(answer, maxBytes + MULTIPART_OVERHEAD_BYTES);
		const parsed = await readMultipartAnswer(answer.body, answer.response.headers['content-type']);
		if (parsed.kind === 'location') {
			log.debug('federation answer: Location');
			return fetchLocation(
				options.http,
				new URL(parsed.location, answer.url),
				maxBytes,
				timeoutMs + HEADERS_MARGIN_MS,
				fetchOptions.signal,
			);
		}
		log.debug('federation answer: inline media');
		return {
			contentType: parsed.headers.get('content-type') ?? null,
			contentDisposition: parsed.headers.get('content-disposition') ?? null,
			contentLength: null,
			body: withMediaErrors(parsed.body),
		};
	}
	const body = parseRemoteErrorBody(await readSmallBody(answer, ERROR_BODY_LIMIT));
	if (isUnknownEndpoint(status, body)) {
		log.info(
			{ status, errcode: body.errcode },
			'federation media endpoint unknown: trying the legacy endpoint',
		);
		return legacyDownload(options, ref, fetchOptions, timeoutMs);
	}
	throw remoteStatusError(ref, status, body.errcode);
}

async function legacyDownload(
	options: FederationMediaSourceOptions,
	ref: MediaRef,
	fetchOptions: RemoteFetchOptions,
	timeoutMs: number,
): Promise<RemoteMedia> {
	const { maxBytes, signal } = fetchOptions;
	const path =
		`/_matrix/media/v3/download/${encodeURIComponent(ref.serverName)}/${encodeURIComponent(ref.mediaId)}` +
		`?allow_remote=false&timeout_ms=${timeoutMs}`;
	const answer = await signedGet(options, ref.serverName, path, {
		maxBytes,
		responseTimeoutMs: timeoutMs + HEADERS_MARGIN_MS,
		signal,
	});
	const status = answer.response.statusCode;
	if (status === 200) {
		return mediaFrom(answer, maxBytes);
	}
	const location = answer.response.headers.location;
	if ((status === 307 || status === 308) && location !== undefined) {
		answer.body.destroy();
		return fetchLocation(
			options.http,
			new URL(location, answer.url),
			maxBytes,
			timeoutMs + HEADERS_MARGIN_MS,
			signal,
		);
	}
	const body = parseRemoteErrorBody(await readSmallBody(answer, ERROR_BODY_LIMIT));
	throw remoteStatusError(ref, status, body.errcode);
}

function remoteStatusError(ref: MediaRef, status: number, errcode: string | null): MediaFetcherError {
	const said = `${ref.serverName} answered ${status}${errcode === null ? '' : ` ${errcode}`}`;
	if (status === 404) {
		return new MediaFetcherError('ERR_MEDIA_NOT_FOUND', `Remote media not found (${said})`, { status: 404 });
	}
	if (errcode === 'M_TOO_LARGE') {
		return new MediaFetcherError(
			'ERR_MEDIA_TOO_LARGE',
			`The remote refuses to serve it: too large (${said})`,
		);
	}
	return new MediaFetcherError('ERR_REMOTE_FAILED', `Failed to fetch remote media (${said})`);
}
