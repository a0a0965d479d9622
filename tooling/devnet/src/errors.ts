/**
 * The one error class of the devnet: every failure carries a stable `code` and, when it wraps another error,
 * keeps it on `cause`. Messages never contain the proxy password.
 */

/** Stable codes of {@link DevnetError}. */
export type DevnetErrorCode =
	| 'ERR_DEVNET_NOT_BUILT'
	| 'ERR_DEVNET_START'
	| 'ERR_DEVNET_WORKER'
	| 'ERR_DEVNET_CLI'
	| 'ERR_DEVNET_TIMEOUT'
	| 'ERR_DEVNET_STEP'
	| 'ERR_DEVNET_USAGE';

/** A devnet failure: what went wrong, in words an operator understands, with a stable code. */
export class DevnetError extends Error {
	readonly code: DevnetErrorCode;

	constructor(code: DevnetErrorCode, message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'DevnetError';
		this.code = code;
	}
}

/** The `code` of any error (`ERR_UNKNOWN` when it has none), for one-line reports. */
export function errorCode(error: unknown): string {
	if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
		return error.code;
	}
	return 'ERR_UNKNOWN';
}
