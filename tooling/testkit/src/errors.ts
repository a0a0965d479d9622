/**
 * The errors of `@homeserver/testkit`, in the workspace's one convention (docs/architecture.md, "Errors"): the
 * catalogue below is the single source of the codes (documented in `docs/errors.md`, kept in step by a test), one
 * base class with a stable `code` and the original failure on `cause`, and a typed guard.
 */

/** Every code the testkit throws, with its meaning. */
export const TESTKIT_ERRORS = {
	ERR_TESTKIT_NOT_LOOPBACK: {
		meaning: 'An address, host map entry or lookup result is not a loopback address (127.0.0.0/8, ::1).',
	},
	ERR_TESTKIT_INVALID_OPTION: {
		meaning: 'An option is malformed (a host name with spaces, a port out of range, a realm with quotes...).',
	},
	ERR_TESTKIT_TOOL_MISSING: { meaning: 'A system tool (squid, basic_ncsa_auth, htpasswd) is not installed.' },
	ERR_TESTKIT_SQUID_START: {
		meaning: 'Squid exited or did not start listening in time; the message carries the tail of its log.',
	},
	ERR_TESTKIT_POSTGRES_START: {
		meaning:
			'The throw-away PostgreSQL server could not be initialised or did not accept connections in time.',
	},
	ERR_TESTKIT_TIMEOUT: { meaning: 'A wait (for a log entry, a port) ran out of time.' },
	ERR_TESTKIT_NO_CLOSED_PORT: { meaning: 'Every loopback port below 1024 accepts connections: none refuses.' },
	ERR_TESTKIT_NOT_JSON: {
		meaning: 'A value given to the remote homeserver cannot be written as canonical JSON.',
	},
} as const satisfies Readonly<Record<string, { readonly meaning: string }>>;

/** A stable code of {@link TestkitError}. */
export type TestkitErrorCode = keyof typeof TESTKIT_ERRORS;

/** The one error class of `@homeserver/testkit`. */
export class TestkitError extends Error {
	/** Stable code, e.g. `ERR_TESTKIT_NOT_LOOPBACK`. */
	readonly code: TestkitErrorCode;

	constructor(code: TestkitErrorCode, message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = new.target.name;
		this.code = code;
	}
}

/** True when `error` is a {@link TestkitError}, with the given code when one is given. */
export function isTestkitError(error: unknown, code?: TestkitErrorCode): error is TestkitError {
	return error instanceof TestkitError && (code === undefined || error.code === code);
}
