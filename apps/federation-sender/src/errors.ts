/**
 * Every error the federation sender raises on purpose: one base class with a stable `code`, the original on `cause`.
 *
 * The CLI prints `code: message` and exits non-zero, so the codes are part of the operator contract.
 */
export type FederationSenderErrorCode =
	| 'ERR_USAGE'
	| 'ERR_INVALID_JSON'
	| 'ERR_INVALID_ITEM'
	| 'ERR_ITEM_TOO_LARGE'
	| 'ERR_INVALID_DESTINATION'
	| 'ERR_DATABASE'
	| 'ERR_OUTBOX_MISSING'
	| 'ERR_ALREADY_RUNNING'
	| 'ERR_SIGNING_KEY_MISSING'
	| 'ERR_WORKER_STATE';

/** Base class of the sender's errors; `code` is stable, `cause` keeps the underlying error. */
export class FederationSenderError extends Error {
	override name = 'FederationSenderError';
	readonly code: FederationSenderErrorCode;

	constructor(code: FederationSenderErrorCode, message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.code = code;
	}
}

/** The `code` of any error that has a string one (ours or another package's), else `ERR_UNEXPECTED`. */
export function errorCode(error: unknown): string {
	if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
		return error.code;
	}
	return 'ERR_UNEXPECTED';
}

/** A one-line description of any thrown value, for logs and stored `last_error` columns (never credentials). */
export function describeError(error: unknown): string {
	if (error instanceof Error) {
		const code = errorCode(error);
		return code === 'ERR_UNEXPECTED' ? error.message : `${code}: ${error.message}`;
	}
	return String(error);
}
