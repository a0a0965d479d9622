/**
 * The errors of `@homeserver/federation`, in the workspace's one convention (docs/architecture.md, "Errors"): the
 * catalogue {@link FEDERATION_ERRORS} is the single source of the codes (documented in `docs/errors.md`, kept in
 * step by a test); every error extends {@link FederationError} with a stable `code` from it (one subclass per code,
 * carrying that failure's details) and keeps the underlying error on `cause`; {@link isFederationError} matches.
 * An abort is outbound-http's `ERR_ABORTED` ({@link FederationAbortedError}), so callers match one code for it.
 *
 * Messages may quote hostile input (server names, headers); {@link describeInput} keeps such quotes short and
 * free of control characters so that they are safe to log.
 */

import { OutboundHttpError } from '@homeserver/outbound-http';

/** Every code this package throws, with its meaning. */
export const FEDERATION_ERRORS = {
	ERR_FEDERATION: { meaning: 'The base code of FederationError; not thrown by itself.' },
	ERR_SIGNING_KEY_INVALID: { meaning: 'A signing key file or seed is malformed.' },
	ERR_SIGNING_KEY_MISSING: { meaning: 'signing_key_path is unset or its file cannot be read.' },
	ERR_CANONICAL_JSON: { meaning: 'A value cannot be written as canonical JSON.' },
	ERR_BASE64_INVALID: { meaning: 'Base64 text does not decode.' },
	ERR_SIGNATURE_INVALID: { meaning: 'A signature is missing, malformed or does not verify.' },
	ERR_SERVER_NAME_INVALID: { meaning: "A server name does not follow the spec's grammar." },
	ERR_X_MATRIX_INVALID: { meaning: 'An X-Matrix Authorization header is malformed or cannot be built.' },
	ERR_FEDERATION_RESOLUTION: { meaning: 'A server name could not be resolved to any place to connect to.' },
	ERR_MATRIX_REMOTE: { meaning: 'A remote homeserver answered a federation request with an error.' },
	ERR_FEDERATION_REQUEST: { meaning: 'A federation request cannot be made or its answer cannot be used.' },
} as const satisfies Readonly<Record<string, { readonly meaning: string }>>;

/** A stable code of {@link FederationError}. */
export type FederationErrorCode = keyof typeof FEDERATION_ERRORS;

/** Options accepted by every error constructor of this package. */
export interface FederationErrorOptions {
	/** The error that caused this one. */
	readonly cause?: unknown;
}

/** Base class of every error thrown by this package. */
export class FederationError extends Error {
	/** Stable machine-readable code from {@link FEDERATION_ERRORS}; each subclass narrows it to its own. */
	readonly code: FederationErrorCode = 'ERR_FEDERATION';

	constructor(message: string, options?: FederationErrorOptions) {
		super(message, options?.cause === undefined ? undefined : { cause: options.cause });
		this.name = new.target.name;
	}
}

/** A signing key (file or seed) is malformed: wrong line format, unknown algorithm, bad version or seed. */
export class SigningKeyError extends FederationError {
	override readonly code = 'ERR_SIGNING_KEY_INVALID';
	/** The key file, when the key came from one. */
	readonly file: string | undefined;
	/** The 1-based line of {@link file} at fault, when known. */
	readonly line: number | undefined;

	constructor(
		message: string,
		details: { readonly file?: string; readonly line?: number } = {},
		options?: FederationErrorOptions,
	) {
		const where =
			details.file === undefined
				? ''
				: `signing key file ${details.file}${details.line === undefined ? '' : ` line ${details.line}`}: `;
		super(where + message, options);
		this.file = details.file;
		this.line = details.line;
	}
}

/**
 * No signing key to use: `signing_key_path` is not set, or its file cannot be read. Federation requests must be
 * signed, so a worker cannot start without one; the message names the setting and the file.
 */
export class SigningKeyMissingError extends FederationError {
	override readonly code = 'ERR_SIGNING_KEY_MISSING';
	/** The configuration key to set or fix: always `signing_key_path`. */
	readonly key = 'signing_key_path';
	/** The file that could not be read, or null when the setting is unset. */
	readonly path: string | null;

	constructor(message: string, path: string | null, options?: FederationErrorOptions) {
		super(message, options);
		this.path = path;
	}
}

/** A value cannot be written as canonical JSON (a float, an integer out of range, a non-JSON value...). */
export class CanonicalJsonError extends FederationError {
	override readonly code = 'ERR_CANONICAL_JSON';
	/** Where the offending value sits, as a JSONPath-like string (`$.content.pdus[3]`). */
	readonly path: string;

	constructor(message: string, path: string, options?: FederationErrorOptions) {
		super(`${message} at ${path}`, options);
		this.path = path;
	}
}

/** Base64 text that does not decode (wrong alphabet, bad length, misplaced padding). */
export class Base64Error extends FederationError {
	override readonly code = 'ERR_BASE64_INVALID';
}

/** A signature is missing, malformed or does not verify. */
export class SignatureError extends FederationError {
	override readonly code = 'ERR_SIGNATURE_INVALID';
}

/** A server name does not follow the spec's grammar (appendices, "Server Name"). */
export class ServerNameError extends FederationError {
	override readonly code = 'ERR_SERVER_NAME_INVALID';

	constructor(input: unknown, reason: string, options?: FederationErrorOptions) {
		super(`invalid server name ${describeInput(input)}: ${reason}`, options);
	}
}

/** An `Authorization: X-Matrix ...` header is malformed, or cannot be built from the given values. */
export class XMatrixError extends FederationError {
	override readonly code = 'ERR_X_MATRIX_INVALID';
}

/** A server name could not be resolved to any place to connect to (DNS failure, SRV says "no service"). */
export class FederationResolutionError extends FederationError {
	override readonly code = 'ERR_FEDERATION_RESOLUTION';
	/** The server name being resolved. */
	readonly serverName: string;
	/** The resolution steps taken before the failure (for `federation-sender resolve`). */
	readonly steps: readonly string[];

	constructor(
		serverName: string,
		message: string,
		options?: FederationErrorOptions & { readonly steps?: readonly string[] },
	) {
		super(`cannot resolve ${describeInput(serverName)}: ${message}`, options);
		this.serverName = serverName;
		this.steps = options?.steps ?? [];
	}
}

/**
 * A federation request cannot be made or its answer cannot be used: a path that is not sent exactly as signed,
 * a 2xx answer whose body is not a JSON object, or a request on a closed client.
 */
export class FederationRequestError extends FederationError {
	override readonly code = 'ERR_FEDERATION_REQUEST';
}

/**
 * A federation request was aborted through its `signal` (before the answer, or while its body streamed). It is
 * outbound-http's `ERR_ABORTED` (that package owns the code): callers match one code, with
 * `isOutboundHttpError(error, 'ERR_ABORTED')`, whatever phase was cut; the signal's reason is on `cause`.
 */
export class FederationAbortedError extends OutboundHttpError {
	constructor(message: string, options?: FederationErrorOptions) {
		super('ERR_ABORTED', message, options?.cause === undefined ? undefined : { cause: options.cause });
	}
}

/** True when `error` is a {@link FederationError}, with the given code when one is given. */
export function isFederationError(error: unknown, code?: FederationErrorCode): error is FederationError {
	return error instanceof FederationError && (code === undefined || error.code === code);
}

/**
 * Quote untrusted text for an error message: JSON-escaped (so no control characters or newlines reach a log)
 * and cut to `max` characters.
 */
export function describeInput(input: unknown, max = 80): string {
	if (typeof input !== 'string') {
		return `(${input === null ? 'null' : typeof input})`;
	}
	const cut = input.length > max ? `${input.slice(0, max)}…` : input;
	return JSON.stringify(cut);
}
