/**
 * Every error code this package throws, one per failure an operator or caller can act on. The catalogue with
 * meanings and remedies is `docs/errors.md`; a test keeps the two in step.
 */
export const ERROR_CODES = [
	'ERR_INVALID_URL',
	'ERR_UNSUPPORTED_PROTOCOL',
	'ERR_UNKNOWN_PURPOSE',
	'ERR_IP_BLOCKED',
	'ERR_PROXY_UNREACHABLE',
	'ERR_PROXY_AUTH_REQUIRED',
	'ERR_PROXY_REFUSED',
	'ERR_PROXY_TIMEOUT',
	'ERR_PROXY_TLS',
	'ERR_PROXY_PROTOCOL',
	'ERR_DESTINATION_UNREACHABLE',
	'ERR_DESTINATION_TLS',
	'ERR_TIMEOUT',
	'ERR_HTTP_STATUS',
	'ERR_TOO_MANY_REDIRECTS',
	'ERR_RESPONSE_TOO_LARGE',
	'ERR_ABORTED',
	'ERR_CLIENT_CLOSED',
	'ERR_REQUEST_FAILED',
] as const;

/** A stable error code of this package (see {@link ERROR_CODES}). */
export type OutboundHttpErrorCode = (typeof ERROR_CODES)[number];
