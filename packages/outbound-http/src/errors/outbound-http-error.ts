import type { OutboundHttpErrorCode } from './codes.js';

/**
 * The one error base of `@homeserver/outbound-http`. Match on {@link OutboundHttpError.code} (stable, documented in
 * `docs/errors.md`); the underlying error, when there is one, is kept on `cause`. Messages never contain proxy
 * credentials, and URLs in them are redacted.
 */
export class OutboundHttpError extends Error {
	/** The stable code, e.g. `ERR_PROXY_AUTH_REQUIRED`. */
	readonly code: OutboundHttpErrorCode;

	constructor(code: OutboundHttpErrorCode, message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = new.target.name;
		this.code = code;
	}
}

/**
 * True when `error` is an {@link OutboundHttpError}, optionally with the given code: the typed way to match a code
 * (`isOutboundHttpError(error, 'ERR_TIMEOUT')`), instead of comparing untyped strings.
 */
export function isOutboundHttpError(
	error: unknown,
	code?: OutboundHttpErrorCode,
): error is OutboundHttpError {
	return error instanceof OutboundHttpError && (code === undefined || error.code === code);
}
