/**
 * The request paths the service answers, parsed and validated before anything else happens.
 */
import { MediaFetcherError } from '../errors.js';
import { sanitizeFileName } from '../media-headers.js';
import { mediaRef, type MediaRef } from '../media-id.js';

/** A parsed `GET /_matrix/client/v1/media/download/{serverName}/{mediaId}[/{fileName}]`. */
export interface DownloadRequest {
	readonly ref: MediaRef;
	/** The file name from the path, sanitised; null when absent. */
	readonly fileName: string | null;
	/** `timeout_ms`: how long the remote may wait for media not yet uploaded (default 20 s, at most 60 s). */
	readonly timeoutMs: number;
}

const PREFIX = ['_matrix', 'client', 'v1', 'media', 'download'];
const DEFAULT_TIMEOUT_MS = 20_000;
const MAX_TIMEOUT_MS = 60_000;

function decode(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch (error) {
		throw new MediaFetcherError('ERR_INVALID_MEDIA_ID', 'The request path is not valid percent-encoding', {
			cause: error,
		});
	}
}

/**
 * Parses a request target. Returns null when the path is not a download path; throws a name error
 * (`ERR_INVALID_SERVER_NAME`, `ERR_INVALID_MEDIA_ID`) when it is one with bad parts.
 */
export function parseDownloadRequest(target: string): DownloadRequest | null {
	const url = new URL(target, 'http://media-fetcher.invalid');
	const segments = url.pathname.split('/').slice(1);
	if (segments.length < 7 || segments.length > 8 || PREFIX.some((part, index) => segments[index] !== part)) {
		return null;
	}
	const ref = mediaRef(decode(segments[5]!), decode(segments[6]!));
	const rawName = segments[7];
	const fileName = rawName === undefined || rawName === '' ? null : sanitizeFileName(decode(rawName));
	const timeout = Number(url.searchParams.get('timeout_ms') ?? DEFAULT_TIMEOUT_MS);
	const timeoutMs =
		Number.isFinite(timeout) && timeout >= 0
			? Math.min(Math.trunc(timeout), MAX_TIMEOUT_MS)
			: DEFAULT_TIMEOUT_MS;
	return { ref, fileName, timeoutMs };
}
