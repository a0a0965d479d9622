/**
 * The media fetcher's errors: one base class with a stable `code` per failure, the original kept on `cause`.
 *
 * Callers (the HTTP service, the CLI) match on `code`, never on the message; {@link MediaFetcherError.status}
 * and {@link MediaFetcherError.errcode} say how the HTTP service answers a client, following Synapse (a remote
 * failure is a 502, a remote 404 is passed through).
 */

/** Every code this package throws, with the HTTP status and Matrix `errcode` a client sees for it. */
export const errorCatalogue = {
	/** The remote's `multipart/mixed` answer broke the format (boundary, headers, JSON part, sizes). */
	ERR_MULTIPART_INVALID: { status: 502, errcode: 'M_UNKNOWN' },
	/** The media is larger than `max_upload_size` (announced or counted while streaming). */
	ERR_MEDIA_TOO_LARGE: { status: 502, errcode: 'M_TOO_LARGE' },
	/** The remote (or the local store) does not have this media. */
	ERR_MEDIA_NOT_FOUND: { status: 404, errcode: 'M_NOT_FOUND' },
	/** The server name of an `mxc://` URI or request path is not valid per the spec grammar. */
	ERR_INVALID_SERVER_NAME: { status: 400, errcode: 'M_INVALID_PARAM' },
	/** The media ID is not `[A-Za-z0-9_-]+` (at most 255 characters). */
	ERR_INVALID_MEDIA_ID: { status: 400, errcode: 'M_INVALID_PARAM' },
	/** The text is not an `mxc://server/mediaId` URI. */
	ERR_INVALID_MXC: { status: 400, errcode: 'M_INVALID_PARAM' },
	/** The remote could not be reached or answered with an error: "Failed to fetch remote media". */
	ERR_REMOTE_FAILED: { status: 502, errcode: 'M_UNKNOWN' },
	/** A phase of the remote download (headers, body, redirect) took too long. */
	ERR_REMOTE_TIMEOUT: { status: 502, errcode: 'M_UNKNOWN' },
	/** The remote sent its answer (multipart framing included) slower than `media_fetcher.min_download_rate`. */
	ERR_REMOTE_TOO_SLOW: { status: 502, errcode: 'M_UNKNOWN' },
	/** The remote was too slow or timed out recently: refused at once for `slow_remote_backoff_ms`. */
	ERR_REMOTE_BACKED_OFF: { status: 503, errcode: 'M_UNKNOWN' },
	/** `media_fetcher.download_queue_size` requests already wait for a download slot. */
	ERR_DOWNLOAD_QUEUE_FULL: { status: 503, errcode: 'M_LIMIT_EXCEEDED' },
	/** No download slot became free within `media_fetcher.download_queue_timeout_ms`. */
	ERR_DOWNLOAD_QUEUE_TIMEOUT: { status: 503, errcode: 'M_LIMIT_EXCEEDED' },
	/** The requester downloaded more than `remote_media_download_burst_count` allows (Synapse's leaky bucket). */
	ERR_RATE_LIMITED: { status: 429, errcode: 'M_LIMIT_EXCEEDED' },
	/** Every client waiting for the download went away, so it was stopped. Never sent (nobody is listening). */
	ERR_DOWNLOAD_CANCELLED: { status: 499, errcode: 'M_UNKNOWN' },
	/** Reading or writing the local media store failed. */
	ERR_STORE_FAILED: { status: 500, errcode: 'M_UNKNOWN' },
	/** `signing_key_path` is unset or unreadable: federation media requests must be signed. */
	ERR_SIGNING_KEY: { status: 500, errcode: 'M_UNKNOWN' },
	/** The configuration asks for something this worker cannot do (e.g. a PostgreSQL media database). */
	ERR_CONFIG_UNSUPPORTED: { status: 500, errcode: 'M_UNKNOWN' },
	/** Wrong command-line usage. */
	ERR_USAGE: { status: 400, errcode: 'M_UNKNOWN' },
} as const;

/** A stable error code of this package. */
export type MediaFetcherErrorCode = keyof typeof errorCatalogue;

/** Options of {@link MediaFetcherError}. */
export interface MediaFetcherErrorOptions {
	/** The underlying error. */
	readonly cause?: unknown;
	/** Overrides the catalogue's HTTP status (a remote 404 passed through keeps 404). */
	readonly status?: number;
	/** When the client may try again (`Retry-After`, `retry_after_ms`), for the limit codes. */
	readonly retryAfterMs?: number;
}

/** The one error class of `@homeserver/media-fetcher`; `code` tells the failures apart. */
export class MediaFetcherError extends Error {
	override readonly name = 'MediaFetcherError';
	/** Stable code, e.g. `ERR_MEDIA_TOO_LARGE`. */
	readonly code: MediaFetcherErrorCode;
	/** HTTP status a client of `media-fetcher serve` receives for this error. */
	readonly status: number;
	/** Matrix `errcode` a client receives. */
	readonly errcode: string;
	/** Milliseconds after which a retry may succeed (queue, rate limit, back-off), else undefined. */
	readonly retryAfterMs: number | undefined;

	constructor(code: MediaFetcherErrorCode, message: string, options: MediaFetcherErrorOptions = {}) {
		super(message, options.cause === undefined ? undefined : { cause: options.cause });
		this.code = code;
		this.status = options.status ?? errorCatalogue[code].status;
		this.errcode = errorCatalogue[code].errcode;
		this.retryAfterMs = options.retryAfterMs;
	}

	/**
	 * The code of what went wrong underneath, for logs and operators: the first `code` on the `cause` chain that is
	 * not one of ours, e.g. `ERR_IP_BLOCKED` or `ERR_PROXY_AUTH_REQUIRED` from the outbound stack, `ERR_TIMEOUT`,
	 * `ERR_MATRIX_REMOTE` for a remote's error answer. Undefined when there is none.
	 */
	get causeCode(): string | undefined {
		let current: unknown = this.cause;
		for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
			const code = (current as { code?: unknown }).code;
			if (typeof code === 'string' && !(current instanceof MediaFetcherError)) return code;
			current = current.cause;
		}
		return undefined;
	}
}

/** True when `error` is a {@link MediaFetcherError}, optionally with the given code. */
export function isMediaFetcherError(
	error: unknown,
	code?: MediaFetcherErrorCode,
): error is MediaFetcherError {
	return error instanceof MediaFetcherError && (code === undefined || error.code === code);
}
