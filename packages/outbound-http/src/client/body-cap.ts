import type { CancelableRequest, HandlerFunction, Options, Progress, Request } from 'got';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { ResponseTooLargeError } from '../errors/request-errors.js';
import { redactUrl } from '../redact-url.js';
import type { RouteDecision } from '../route/route-decision.js';

/** What a got call may carry in `context` for this package. */
export interface OutboundContext {
	/** Cap on the (decompressed) response body in bytes; larger bodies fail with ERR_RESPONSE_TOO_LARGE. */
	maxBytes?: number;
	/**
	 * Called by the routing hook with the decision of each hop (first request, redirect, retry), before the hop is
	 * refused (`blocked`, then ERR_IP_BLOCKED) or sent: the one decision per hop, for callers that log or report it
	 * (the federation client). It must not throw.
	 */
	onRoute?: (decision: RouteDecision) => void;
}

function readMaxBytes(options: Options): number | undefined {
	const value = (options.context as OutboundContext).maxBytes;
	if (value === undefined) return undefined;
	if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
		throw new InvalidOptionError('context.maxBytes', `must be a non-negative integer, got ${String(value)}`);
	}
	return value;
}

/**
 * A got handler enforcing `context: { maxBytes }` while the body streams, for the promise and the stream API:
 * a response whose Content-Length is larger is refused before its body is read, and one that grows past the cap
 * is aborted at that chunk (nothing more is buffered). Costs nothing when no cap is set. `onTooLarge` is called
 * for promise calls (stream errors pass through the `beforeError` hook, which counts them).
 */
export function bodyCapHandler(onTooLarge: (error: ResponseTooLargeError) => void): HandlerFunction {
	return ((options: Options, next: (options: Options) => Request | CancelableRequest) => {
		const maxBytes = readMaxBytes(options);
		if (maxBytes === undefined) return next(options);
		const result = next(options);
		let tooLarge: ResponseTooLargeError | undefined;
		const url = (): string => (options.url instanceof URL ? redactUrl(options.url) : 'the destination');
		const onProgress = (progress: Progress): void => {
			if (tooLarge !== undefined) return;
			const announced =
				progress.total !== undefined && progress.total > maxBytes && progress.transferred === 0;
			if (!announced && progress.transferred <= maxBytes) return;
			tooLarge = new ResponseTooLargeError(
				url(),
				maxBytes,
				announced ? (progress.total ?? 0) : progress.transferred,
				announced,
			);
			if (stream !== undefined) {
				// Close the connection first (an unread body makes it unusable), so got does not try to drain the
				// rest; then fail through got's own error entry point (typed public in got 14): it stops reading,
				// skips retries for our code and runs the beforeError hooks, so the stream emits this very error.
				// Destroying the stream instead would wrap it in a RequestError; the response, an ECONNRESET.
				stream.socket?.destroy();
				stream._beforeError(tooLarge);
				return;
			}
			onTooLarge(tooLarge);
			(result as CancelableRequest).cancel();
		};
		const stream = options.isStream ? (result as Request) : undefined;
		if (stream !== undefined) {
			stream.on('downloadProgress', onProgress);
			return result;
		}
		const promise = result as CancelableRequest;
		void promise.on('downloadProgress', onProgress);
		return promise.then(
			(value) => value,
			(error: unknown) => {
				throw tooLarge ?? error;
			},
		);
	}) as HandlerFunction;
}
