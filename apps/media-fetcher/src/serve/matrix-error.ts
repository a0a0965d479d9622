/**
 * Errors as the Matrix client API shapes them: a JSON body `{errcode, error}` and a status code. Remote
 * failures read "Failed to fetch remote media" with a 502 (as Synapse); a remote 404 stays a 404.
 */
import type { ServerResponse } from 'node:http';
import { FederationDeniedError } from '@homeserver/outbound-http';
import { MediaFetcherError } from '../errors.js';
import { securityHeaders } from './response-headers.js';

/** The status and JSON body a client receives for `error`. */
export function matrixErrorOf(error: unknown): {
	status: number;
	body: { errcode: string; error: string; retry_after_ms?: number };
	retryAfterMs?: number;
} {
	if (error instanceof FederationDeniedError) {
		// Synapse's FederationDeniedError (federation_domain_whitelist): 403 M_FORBIDDEN.
		return {
			status: 403,
			body: { errcode: 'M_FORBIDDEN', error: `Federation denied with ${error.serverName}.` },
		};
	}
	if (!(error instanceof MediaFetcherError)) {
		return { status: 500, body: { errcode: 'M_UNKNOWN', error: 'Internal server error' } };
	}
	switch (error.code) {
		case 'ERR_REMOTE_FAILED':
		case 'ERR_REMOTE_TIMEOUT':
		case 'ERR_MULTIPART_INVALID':
			return {
				status: error.status,
				body: { errcode: error.errcode, error: 'Failed to fetch remote media' },
			};
		case 'ERR_REMOTE_TOO_SLOW':
			return {
				status: error.status,
				body: { errcode: error.errcode, error: 'Failed to fetch remote media' },
			};
		case 'ERR_REMOTE_BACKED_OFF':
		case 'ERR_DOWNLOAD_QUEUE_FULL':
		case 'ERR_DOWNLOAD_QUEUE_TIMEOUT':
		case 'ERR_RATE_LIMITED': {
			const retryAfterMs = error.retryAfterMs ?? 1000;
			const body =
				error.errcode === 'M_LIMIT_EXCEEDED'
					? { errcode: error.errcode, error: error.message, retry_after_ms: retryAfterMs }
					: { errcode: error.errcode, error: error.message };
			return { status: error.status, body, retryAfterMs };
		}
		case 'ERR_STORE_FAILED':
		case 'ERR_CONFIG_UNSUPPORTED':
			return { status: 500, body: { errcode: 'M_UNKNOWN', error: 'Internal server error' } };
		default:
			return { status: error.status, body: { errcode: error.errcode, error: error.message } };
	}
}

/** Sends the Matrix error answer of `error` (see {@link matrixErrorOf}), with `Retry-After` when it has one. */
export function sendErrorOf(response: ServerResponse, error: unknown, head = false): void {
	const { status, body, retryAfterMs } = matrixErrorOf(error);
	if (response.destroyed) return;
	const text = JSON.stringify(body);
	response.writeHead(status, {
		...securityHeaders(),
		'Content-Type': 'application/json',
		'Content-Length': Buffer.byteLength(text),
		'Cache-Control': 'no-store',
		...(retryAfterMs === undefined
			? {}
			: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) }),
	});
	response.end(head ? undefined : text);
}

/** Sends a Matrix error answer (body omitted for HEAD). */
export function sendMatrixError(
	response: ServerResponse,
	status: number,
	errcode: string,
	message: string,
	head = false,
): void {
	const body = JSON.stringify({ errcode, error: message });
	response.writeHead(status, {
		...securityHeaders(),
		'Content-Type': 'application/json',
		'Content-Length': Buffer.byteLength(body),
		'Cache-Control': 'no-store',
	});
	response.end(head ? undefined : body);
}
