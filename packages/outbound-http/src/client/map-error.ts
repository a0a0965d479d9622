import { AbortError, CancelError, HTTPError, MaxRedirectsError, TimeoutError } from 'got';
import type { RequestError } from 'got';
import { ForwardAgent } from '../agents/forward-agent.js';
import { describe } from '../agents/proxy-connection.js';
import { parseRealm } from '../agents/connect-handshake.js';
import { OutboundHttpError } from '../errors/outbound-http-error.js';
import { ProxyAuthRequiredError } from '../errors/proxy-errors.js';
import { HttpStatusError, RequestTimeoutError } from '../errors/request-errors.js';
import { redactUrl } from '../redact-url.js';
import { invalidUrlError, unsupportedProtocolError } from '../route/route-target.js';

const UNREACHABLE = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EAI_FAIL',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'EADDRNOTAVAIL',
]);

function isTlsCode(code: string): boolean {
	return (
		code.startsWith('ERR_SSL_') ||
		code.startsWith('ERR_TLS_') ||
		code.includes('CERT') ||
		code === 'EPROTO' ||
		code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
	);
}

function ownCause(error: unknown): OutboundHttpError | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
		if (current instanceof OutboundHttpError) return current;
		current = current.cause;
	}
	return undefined;
}

function rootCode(error: Error): string | undefined {
	let current: unknown = error.cause ?? error;
	for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
		const code = (current as NodeJS.ErrnoException).code;
		if (typeof code === 'string' && !code.startsWith('ERR_GOT')) return code;
		current = current.cause;
	}
	return undefined;
}

/** got's message for a relative URL without `prefixUrl` (got 14), which route() calls not absolute. */
const GOT_RELATIVE_URL = '`url` must not start with a slash';

/**
 * got parses the first URL and each redirect's Location before our hooks see them: its URL errors become route()'s
 * ERR_INVALID_URL and ERR_UNSUPPORTED_PROTOCOL (for a redirect, naming the URL that redirected). `hop` is the URL of
 * the request got was making (undefined when the first URL did not parse).
 */
function urlError(error: Error, hop: URL | undefined): OutboundHttpError | undefined {
	const redirected = hop !== undefined && (hop.protocol === 'http:' || hop.protocol === 'https:');
	const from = redirected ? redactUrl(hop) : undefined;
	let current: unknown = error.cause;
	for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
		const code = (current as NodeJS.ErrnoException).code;
		if (code === 'ERR_INVALID_URL' || current.message === GOT_RELATIVE_URL) {
			const input = (current as { input?: unknown }).input;
			return invalidUrlError(typeof input === 'string' ? input : undefined, error, from);
		}
		if (code === 'ERR_UNSUPPORTED_PROTOCOL') {
			const target = redirected ? (error as Partial<RequestError>).request?.redirectUrls.at(-1) : hop;
			return unsupportedProtocolError(target?.protocol ?? 'unknown', error, from);
		}
		current = current.cause;
	}
	return undefined;
}

/**
 * Turns whatever got rejects with into our typed error (used in a `beforeError` hook, so both the promise and the
 * stream API see it): our own errors raised in agents, lookups and hooks are unwrapped from got's `cause`; URLs got
 * cannot parse or request map to ERR_INVALID_URL and ERR_UNSUPPORTED_PROTOCOL, as in route(); got's own failures map to ERR_HTTP_STATUS, ERR_TIMEOUT, ERR_TOO_MANY_REDIRECTS, ERR_ABORTED; socket errors to
 * ERR_DESTINATION_UNREACHABLE or ERR_DESTINATION_TLS; anything else is ERR_REQUEST_FAILED. got's error stays on
 * `cause`. `tlsHint` names the settings that decide certificate checks for this purpose.
 */
export function toOutboundError(error: Error, tlsHint: string): OutboundHttpError {
	const own = ownCause(error);
	if (own !== undefined) return own;
	const options = (error as Partial<RequestError>).options;
	const hop = options?.url instanceof URL ? options.url : undefined;
	const invalid = urlError(error, hop);
	if (invalid !== undefined) return invalid;
	const url = hop === undefined ? 'the destination' : redactUrl(hop);
	if (error instanceof HTTPError) {
		const response = error.response;
		const agent = options?.agent.http;
		if (response.statusCode === 407 && agent instanceof ForwardAgent) {
			const endpoint = agent.proxyTarget.endpoint;
			const realm = parseRealm(response.headers['proxy-authenticate']?.toString());
			return new ProxyAuthRequiredError(
				endpoint.redacted,
				realm,
				`proxy ${endpoint.redacted} (${endpoint.source}) requires authentication: 407 for ${url}` +
					`${realm === null ? '' : ` (realm "${realm}")`}; ` +
					(endpoint.hasCredentials
						? 'it rejected the user name and password in the proxy URL'
						: 'add user:password@ to the proxy URL'),
			);
		}
		return new HttpStatusError(url, response.statusCode, response.statusMessage ?? '', response, error);
	}
	if (error instanceof TimeoutError) return new RequestTimeoutError(url, error.event, error);
	if (error instanceof MaxRedirectsError) {
		return new OutboundHttpError('ERR_TOO_MANY_REDIRECTS', `too many redirects from ${url}`, {
			cause: error,
		});
	}
	if (error instanceof CancelError || error instanceof AbortError) {
		return new OutboundHttpError('ERR_ABORTED', `request to ${url} was aborted`, { cause: error });
	}
	const code = rootCode(error);
	if (code !== undefined && isTlsCode(code)) {
		return new OutboundHttpError(
			'ERR_DESTINATION_TLS',
			`TLS with ${url} failed: ${describe(error.cause ?? error)}. Check the destination's certificate: ` +
				`it must be valid for its host name and ${tlsHint}`,
			{ cause: error },
		);
	}
	if (code !== undefined && UNREACHABLE.has(code)) {
		return new OutboundHttpError(
			'ERR_DESTINATION_UNREACHABLE',
			`cannot reach ${url}: ${describe(error.cause ?? error)}`,
			{
				cause: error,
			},
		);
	}
	return new OutboundHttpError(
		'ERR_REQUEST_FAILED',
		`request to ${url} failed: ${describe(error.cause ?? error)}`,
		{
			cause: error,
		},
	);
}
