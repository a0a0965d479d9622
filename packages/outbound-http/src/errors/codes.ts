/**
 * Every error code this package throws, one per failure an operator or caller can act on: the single source of the
 * codes (docs/architecture.md, "Errors"). `docs/errors.md` explains each with what to do; a test keeps the two in
 * step. `ERR_ABORTED` and `ERR_USAGE` are owned here and re-used by the packages above (a federation abort, the
 * apps' command-line usage errors).
 */
export const OUTBOUND_HTTP_ERRORS = {
	ERR_INVALID_URL: { meaning: 'The URL is not absolute or cannot be parsed.' },
	ERR_UNSUPPORTED_PROTOCOL: { meaning: 'The URL scheme is neither http: nor https:.' },
	ERR_UNKNOWN_PURPOSE: { meaning: 'The purpose is not one the configuration knows.' },
	ERR_IP_BLOCKED: { meaning: "The purpose's IP policy refuses the destination address." },
	ERR_PROXY_UNREACHABLE: { meaning: 'No TCP connection could be opened to the forward proxy.' },
	ERR_PROXY_AUTH_REQUIRED: { meaning: 'The proxy answered 407 Proxy Authentication Required.' },
	ERR_PROXY_REFUSED: { meaning: 'The proxy answered CONNECT with a status other than 2xx and 407.' },
	ERR_PROXY_TIMEOUT: { meaning: 'The proxy did not connect, finish TLS or answer CONNECT in time.' },
	ERR_PROXY_TLS: { meaning: 'The TLS handshake with an https:// proxy failed.' },
	ERR_PROXY_PROTOCOL: { meaning: "The proxy's answer to CONNECT was not usable HTTP." },
	ERR_DESTINATION_UNREACHABLE: { meaning: 'A direct destination could not be resolved or connected to.' },
	ERR_DESTINATION_TLS: { meaning: 'TLS with the destination failed.' },
	ERR_TIMEOUT: { meaning: 'A phase of the request took longer than its limit.' },
	ERR_HTTP_STATUS: { meaning: 'The destination answered with an error status.' },
	ERR_TOO_MANY_REDIRECTS: { meaning: 'There were more redirects than allowed.' },
	ERR_RESPONSE_TOO_LARGE: { meaning: 'The response body is larger than the cap (maxBytes).' },
	ERR_ABORTED: { meaning: 'The caller aborted the request.' },
	ERR_CLIENT_CLOSED: { meaning: 'A request was made after the outbound stack was closed.' },
	ERR_REQUEST_FAILED: { meaning: 'Any other failure of a request; the cause says what.' },
	ERR_INVALID_OPTION: { meaning: 'An option of createOutboundHttp or of a request is invalid.' },
	ERR_INTERNAL: {
		meaning: 'An internal invariant broke (Node called an agent in a way it does not support).',
	},
	ERR_USAGE: { meaning: 'A command line cannot be run (unknown command, wrong or missing arguments).' },
} as const satisfies Readonly<Record<string, { readonly meaning: string }>>;

/** A stable error code of this package (see {@link OUTBOUND_HTTP_ERRORS}). */
export type OutboundHttpErrorCode = keyof typeof OUTBOUND_HTTP_ERRORS;

/** The codes of {@link OUTBOUND_HTTP_ERRORS} as a list. */
export const ERROR_CODES = Object.freeze(Object.keys(OUTBOUND_HTTP_ERRORS) as OutboundHttpErrorCode[]);
