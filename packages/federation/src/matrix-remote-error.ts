import { FederationError } from './errors.js';
import type { FederationErrorOptions } from './errors.js';
import { headerValues } from './headers.js';
import type { HttpHeaders } from './headers.js';
import { parseHttpDate } from './http-date.js';
import { parseJson } from './parse-json.js';

/** Bodies larger than this are not parsed (a Matrix error body is a few hundred bytes). */
const MAX_PARSED_BODY = 64 * 1024;
const MAX_ERROR_TEXT = 1000;
/** Matrix error codes: `M_FORBIDDEN`, or namespaced ones such as `IO.ELEMENT.SOMETHING`. */
const ERRCODE = /^[A-Za-z0-9_.-]{1,128}$/;

/** The details a remote homeserver's error answer carries. */
export interface MatrixRemoteErrorDetails {
	/** HTTP status of the answer. */
	readonly status: number;
	/** The Matrix `errcode` (`M_FORBIDDEN`...), when the body had a well-formed one. */
	readonly errcode: string | undefined;
	/** The human-readable `error` text, cut to 1000 characters, control characters replaced. */
	readonly error: string | undefined;
	/** How long to wait before retrying, from `Retry-After` (preferred) or the body's `retry_after_ms`. */
	readonly retryAfterMs: number | undefined;
}

/**
 * A remote homeserver answered a federation request with an error (a non-2xx status). Carries the status, the
 * Matrix `errcode` and `error`, and the retry delay when one was given.
 */
export class MatrixRemoteError extends FederationError implements MatrixRemoteErrorDetails {
	override readonly code = 'ERR_MATRIX_REMOTE';
	readonly status: number;
	readonly errcode: string | undefined;
	readonly error: string | undefined;
	readonly retryAfterMs: number | undefined;

	constructor(details: MatrixRemoteErrorDetails, options?: FederationErrorOptions) {
		const what = [details.errcode, details.error].filter((part) => part !== undefined).join(': ');
		super(`remote server answered HTTP ${details.status}${what === '' ? '' : ` ${what}`}`, options);
		this.status = details.status;
		this.errcode = details.errcode;
		this.error = details.error;
		this.retryAfterMs = details.retryAfterMs;
	}

	/**
	 * Builds the error from a raw answer, treating every part as hostile: a body over 64 KiB or that is not a
	 * JSON object is not interpreted (`errcode`/`error` stay undefined), only a well-formed `errcode` string is
	 * kept, `error` is shortened and cleaned, and `retry_after_ms` must be a non-negative safe integer. A
	 * `Retry-After` header (delay-seconds or an HTTP date, read against `now` in ms) wins over the body.
	 */
	static fromResponse(
		status: number,
		headers: HttpHeaders,
		body: string | Uint8Array,
		now: number = Date.now(),
	): MatrixRemoteError {
		const parsed = parseBody(body);
		const errcode =
			typeof parsed?.['errcode'] === 'string' && ERRCODE.test(parsed['errcode'])
				? parsed['errcode']
				: undefined;
		const error = typeof parsed?.['error'] === 'string' ? cleanText(parsed['error']) : undefined;
		const bodyDelay = parsed?.['retry_after_ms'];
		const retryAfterMs =
			retryAfterFromHeader(headers, now) ??
			(typeof bodyDelay === 'number' && Number.isSafeInteger(bodyDelay) && bodyDelay >= 0
				? bodyDelay
				: undefined);
		return new MatrixRemoteError({ status, errcode, error, retryAfterMs });
	}
}

function parseBody(body: string | Uint8Array): Record<string, unknown> | undefined {
	if (body.length > MAX_PARSED_BODY) {
		return undefined;
	}
	try {
		const text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body);
		const value = parseJson(text);
		return typeof value === 'object' && value !== null && !Array.isArray(value)
			? (value as Record<string, unknown>)
			: undefined;
	} catch {
		return undefined;
	}
}

function cleanText(text: string): string {
	const clean = text.replace(/[\x00-\x1f\x7f\u2028\u2029]/g, ' ');
	return clean.length > MAX_ERROR_TEXT ? `${clean.slice(0, MAX_ERROR_TEXT)}…` : clean;
}

function retryAfterFromHeader(headers: HttpHeaders, now: number): number | undefined {
	const value = headerValues(headers, 'retry-after').at(-1)?.trim();
	if (value === undefined || value === '') {
		return undefined;
	}
	if (/^\d{1,10}$/.test(value)) {
		return Number(value) * 1000;
	}
	const at = parseHttpDate(value);
	return at === undefined ? undefined : Math.max(0, at - now);
}
