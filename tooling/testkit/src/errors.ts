/** Stable codes of every error the testkit throws, so callers can match on `code` rather than on messages. */
export type TestkitErrorCode =
	/** An address, host map entry or lookup result is not a loopback address (127.0.0.0/8, ::1). */
	| 'ERR_TESTKIT_NOT_LOOPBACK'
	/** An option is malformed (a host name with spaces, a port out of range, a realm with quotes...). */
	| 'ERR_TESTKIT_INVALID_OPTION'
	/** A system tool (squid, basic_ncsa_auth, htpasswd) is not installed. */
	| 'ERR_TESTKIT_TOOL_MISSING'
	/** Squid exited or did not start listening in time; the message carries the tail of its log. */
	| 'ERR_TESTKIT_SQUID_START'
	/** A wait (for a log entry, a port) ran out of time. */
	| 'ERR_TESTKIT_TIMEOUT';

/**
 * The one error class of `@homeserver/testkit`. Every instance has a stable {@link TestkitErrorCode} and keeps
 * the original failure on `cause`.
 */
export class TestkitError extends Error {
	override readonly name = 'TestkitError';
	readonly code: TestkitErrorCode;

	constructor(code: TestkitErrorCode, message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.code = code;
	}
}
