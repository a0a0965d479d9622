/**
 * The federation sender's errors, in the workspace's one convention (docs/architecture.md, "Errors"): the catalogue
 * {@link FEDERATION_SENDER_ERRORS} is the single source of its codes (documented in `docs/errors.md`, kept in step
 * by a test), one base class with a stable `code` and the original on `cause`, and a typed guard.
 *
 * The CLI prints `code: message` and exits non-zero, so the codes are part of the operator contract. Codes owned by
 * a lower package are re-used, not redefined: a bad command line is outbound-http's `ERR_USAGE` (`UsageError`), a
 * missing or malformed signing key federation's `ERR_SIGNING_KEY_MISSING` / `ERR_SIGNING_KEY_INVALID`.
 */
import { errorCode } from '@homeserver/config';

/** Every code this package throws, with its meaning. */
export const FEDERATION_SENDER_ERRORS = {
	ERR_INVALID_JSON: { meaning: 'A file given to enqueue is not JSON.' },
	ERR_INVALID_ITEM: { meaning: 'A PDU or EDU given to enqueue is not one the outbox accepts.' },
	ERR_ITEM_TOO_LARGE: { meaning: 'A PDU or EDU is larger than a transaction may carry.' },
	ERR_INVALID_DESTINATION: { meaning: 'The destination is not a valid server name, or is our own.' },
	ERR_DATABASE: { meaning: 'The outbox database cannot be opened or used.' },
	ERR_OUTBOX_MISSING: { meaning: 'status ran before anything was stored: there is no outbox yet.' },
	ERR_ALREADY_RUNNING: { meaning: 'Another run holds the outbox.' },
	ERR_WORKER_STATE: { meaning: 'Internal misuse (a worker started twice) and shutdown reasons.' },
} as const satisfies Readonly<Record<string, { readonly meaning: string }>>;

/** A stable code of {@link FederationSenderError}. */
export type FederationSenderErrorCode = keyof typeof FEDERATION_SENDER_ERRORS;

/** Base class of the sender's errors; `code` is stable, `cause` keeps the underlying error. */
export class FederationSenderError extends Error {
	readonly code: FederationSenderErrorCode;

	constructor(code: FederationSenderErrorCode, message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = new.target.name;
		this.code = code;
	}
}

/** True when `error` is a {@link FederationSenderError}, with the given code when one is given. */
export function isFederationSenderError(
	error: unknown,
	code?: FederationSenderErrorCode,
): error is FederationSenderError {
	return error instanceof FederationSenderError && (code === undefined || error.code === code);
}

/** A one-line description of any thrown value, for logs and stored `last_error` columns (never credentials). */
export function describeError(error: unknown): string {
	if (error instanceof Error) {
		const code = errorCode(error);
		return code === undefined ? error.message : `${code}: ${error.message}`;
	}
	return String(error);
}
