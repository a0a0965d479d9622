/**
 * The media fetcher's errors, in the workspace's one convention (docs/architecture.md, "Errors"): the catalogue
 * {@link MEDIA_FETCHER_ERRORS} is the single source of the codes (documented in `docs/errors.md`, kept in step by
 * a test), one base class with a stable `code` per failure, the original kept on `cause`, and a typed guard.
 *
 * Callers (the HTTP service, the CLI) match on `code`, never on the message; {@link MediaFetcherError.status}
 * and {@link MediaFetcherError.errcode} say how the HTTP service answers a client, following Synapse (a remote
 * failure is a 502, a remote 404 is passed through).
 */
import { errorCode } from '@homeserver/config';

/**
 * Every code this package throws, with its meaning and the HTTP status and Matrix `errcode` a client sees for it.
 * Codes owned by a lower package are re-used, not redefined: a bad command line is outbound-http's `ERR_USAGE`
 * (`UsageError`), a missing or malformed signing key federation's `ERR_SIGNING_KEY_MISSING` / `_INVALID`.
 */
export const MEDIA_FETCHER_ERRORS = {
	ERR_MULTIPART_INVALID: {
		meaning: "The remote's multipart/mixed answer broke the format (boundary, headers, JSON part, sizes).",
		status: 502,
		errcode: 'M_UNKNOWN',
	},
	ERR_MEDIA_TOO_LARGE: {
		meaning: 'The media is larger than max_upload_size (announced or counted while streaming).',
		status: 502,
		errcode: 'M_TOO_LARGE',
	},
	ERR_MEDIA_NOT_FOUND: {
		meaning: 'The remote (or the local store) does not have this media.',
		status: 404,
		errcode: 'M_NOT_FOUND',
	},
	ERR_INVALID_SERVER_NAME: {
		meaning: 'The server name of an mxc:// URI or request path is not valid per the spec grammar.',
		status: 400,
		errcode: 'M_INVALID_PARAM',
	},
	ERR_INVALID_MEDIA_ID: {
		meaning: 'The media ID is not [A-Za-z0-9_-]+ (at most 255 characters).',
		status: 400,
		errcode: 'M_INVALID_PARAM',
	},
	ERR_INVALID_MXC: {
		meaning: 'The text is not an mxc://server/mediaId URI.',
		status: 400,
		errcode: 'M_INVALID_PARAM',
	},
	ERR_REMOTE_FAILED: {
		meaning: 'The remote could not be reached or answered with an error: "Failed to fetch remote media".',
		status: 502,
		errcode: 'M_UNKNOWN',
	},
	ERR_REMOTE_TIMEOUT: {
		meaning: 'A phase of the remote download (headers, body, redirect) took too long.',
		status: 502,
		errcode: 'M_UNKNOWN',
	},
	ERR_STORE_FAILED: {
		meaning: 'Reading or writing the local media store failed.',
		status: 500,
		errcode: 'M_UNKNOWN',
	},
	ERR_CONFIG_UNSUPPORTED: {
		meaning: 'The configuration asks for something this worker cannot do (e.g. a PostgreSQL media database).',
		status: 500,
		errcode: 'M_UNKNOWN',
	},
	ERR_MEDIA_INVALID_OPTION: {
		meaning: 'An internal option (a limiter size, a write window) is invalid: a bug.',
		status: 500,
		errcode: 'M_UNKNOWN',
	},
} as const satisfies Readonly<
	Record<string, { readonly meaning: string; readonly status: number; readonly errcode: string }>
>;

/** A stable error code of this package. */
export type MediaFetcherErrorCode = keyof typeof MEDIA_FETCHER_ERRORS;

/** Options of {@link MediaFetcherError}. */
export interface MediaFetcherErrorOptions {
	/** The underlying error. */
	readonly cause?: unknown;
	/** Overrides the catalogue's HTTP status (a remote 404 passed through keeps 404). */
	readonly status?: number;
}

/** The one error class of `@homeserver/media-fetcher`; `code` tells the failures apart. */
export class MediaFetcherError extends Error {
	/** Stable code, e.g. `ERR_MEDIA_TOO_LARGE`. */
	readonly code: MediaFetcherErrorCode;
	/** HTTP status a client of `media-fetcher serve` receives for this error. */
	readonly status: number;
	/** Matrix `errcode` a client receives. */
	readonly errcode: string;

	constructor(code: MediaFetcherErrorCode, message: string, options: MediaFetcherErrorOptions = {}) {
		super(message, options.cause === undefined ? undefined : { cause: options.cause });
		this.name = new.target.name;
		this.code = code;
		this.status = options.status ?? MEDIA_FETCHER_ERRORS[code].status;
		this.errcode = MEDIA_FETCHER_ERRORS[code].errcode;
	}

	/**
	 * The code of what went wrong underneath, for logs and operators: the first `code` on the `cause` chain that is
	 * not one of ours, e.g. `ERR_IP_BLOCKED` or `ERR_PROXY_AUTH_REQUIRED` from the outbound stack, `ERR_TIMEOUT`,
	 * `ERR_MATRIX_REMOTE` for a remote's error answer. Undefined when there is none.
	 */
	get causeCode(): string | undefined {
		let current: unknown = this.cause;
		for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
			const code = errorCode(current);
			if (code !== undefined && !(current instanceof MediaFetcherError)) return code;
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
