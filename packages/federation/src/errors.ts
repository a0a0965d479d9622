/**
 * The errors of `@homeserver/federation`. Every error extends {@link FederationError} and carries a stable
 * `code` string (match on `code`, not on the message); the underlying error, if any, is kept on `cause`.
 *
 * Messages may quote hostile input (server names, headers); {@link describeInput} keeps such quotes short and
 * free of control characters so that they are safe to log.
 */

/** Options accepted by every error constructor of this package. */
export interface FederationErrorOptions {
	/** The error that caused this one. */
	readonly cause?: unknown;
}

/** Base class of every error thrown by this package. */
export class FederationError extends Error {
	/** Stable machine-readable code; subclasses narrow it. */
	readonly code: string = 'ERR_FEDERATION';

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
 * A federation request was aborted through its `signal` (before the answer, or while its body streamed). Same code
 * as outbound-http's abort, so callers match one code whatever phase was cut; the signal's reason is on `cause`.
 */
export class FederationAbortedError extends FederationError {
	override readonly code = 'ERR_ABORTED';
}

/**
 * A federation request (or a resolution) ran past its overall deadline: the `timeout` of the request, counted from
 * the call, over every phase (server-name resolution, `.well-known` and its redirects, SRV, proxy, TLS, headers,
 * body). Same code as outbound-http's per-phase timeouts, so callers match one code; `phase` is `deadline` and
 * `stage` says where the time ran out.
 */
export class FederationTimeoutError extends FederationError {
	override readonly code = 'ERR_TIMEOUT';
	/** Always `deadline` (outbound-http's phases name the per-phase limits). */
	readonly phase = 'deadline';
	/** Where the deadline struck: `resolution` (`.well-known`, SRV) or `request` (connect, TLS, headers, body). */
	readonly stage: 'resolution' | 'request';
	/** The deadline that was exceeded, in milliseconds. */
	readonly timeoutMs: number;

	constructor(destination: string, timeoutMs: number, stage: 'resolution' | 'request' = 'request') {
		super(
			`the request to ${describeInput(destination)} did not complete within its deadline of ${timeoutMs} ms ` +
				`(ran out during ${stage === 'resolution' ? 'server-name resolution' : 'the request'})`,
		);
		this.stage = stage;
		this.timeoutMs = typeof timeoutMs === 'number' ? timeoutMs : 0;
	}
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
