import type { ClientRequest } from 'node:http';
import type { CancelableRequest, HandlerFunction, Options, Progress, Request } from 'got';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { RequestTimeoutError } from '../errors/request-errors.js';
import { redactUrl } from '../redact-url.js';

/**
 * A minimum transfer rate for response bodies: from the response headers on, every window of `windowMs` must
 * bring at least `minBytesPerSecond × windowMs / 1000` bytes until the body ends. A remote that trickles its body
 * (one byte every few seconds keeps the idle timer happy) is cut after one window, long before any overall deadline.
 */
export interface BodyRate {
	/** Bytes per second the body must average over each window; 0 turns the check off. */
	readonly minBytesPerSecond: number;
	/** Length of one measuring window in milliseconds. */
	readonly windowMs: number;
}

/**
 * 1 KiB/s over 10 s windows: any real link is far faster, a drip of a few bytes per second is cut within ~10 s of
 * the headers. A body that arrives within one window (every JSON answer) is never measured.
 */
export const DEFAULT_BODY_RATE: BodyRate = Object.freeze({ minBytesPerSecond: 1024, windowMs: 10_000 });

/** The phase named by the {@link RequestTimeoutError} of a body below the minimum rate. */
export const BODY_RATE_PHASE = 'rate';

/** What a got call may carry in `context` to change the rate for one request (`false`: no minimum). */
export interface BodyRateContext {
	bodyRate?: BodyRate | false;
}

function rateOf(options: Options, fallback: BodyRate | false): BodyRate | false {
	const value = (options.context as BodyRateContext).bodyRate;
	return value === undefined ? fallback : value;
}

/** Throws `ERR_INVALID_OPTION` naming the option when `rate` is not a usable {@link BodyRate} (or false). */
export function checkBodyRate(rate: unknown, option: string): asserts rate is BodyRate | false {
	if (rate === false) return;
	const { minBytesPerSecond, windowMs } = (rate ?? {}) as Partial<BodyRate>;
	const ok =
		typeof minBytesPerSecond === 'number' &&
		Number.isFinite(minBytesPerSecond) &&
		minBytesPerSecond >= 0 &&
		typeof windowMs === 'number' &&
		Number.isSafeInteger(windowMs) &&
		windowMs > 0;
	if (!ok) {
		throw new InvalidOptionError(
			option,
			'must be false or {minBytesPerSecond: a number >= 0, windowMs: a whole number > 0}',
		);
	}
}

/**
 * A got handler enforcing a {@link BodyRate} (the stack's default, or `context.bodyRate`) while the body streams,
 * for the promise and the stream API: one timer per window, started at the first body progress and cleared when the
 * body ends or the request closes. Too slow: the request is destroyed with `ERR_TIMEOUT` (phase `rate`), which got
 * hands to the `beforeError` hooks (so it is counted and mapped like any error) and does not retry. Costs one
 * listener per request when the body arrives within a window.
 */
export function bodyRateHandler(fallback: BodyRate | false): HandlerFunction {
	return ((options: Options, next: (options: Options) => Request | CancelableRequest) => {
		const rate = rateOf(options, fallback);
		if (rate !== fallback) checkBodyRate(rate, 'context.bodyRate');
		if (rate === false || rate.minBytesPerSecond === 0) return next(options);
		const minPerWindow = (rate.minBytesPerSecond * rate.windowMs) / 1000;
		const result = next(options);
		let request: ClientRequest | undefined;
		let timer: NodeJS.Timeout | undefined;
		let transferred = 0;
		let atWindowStart = 0;
		const stop = (): void => {
			if (timer !== undefined) clearInterval(timer);
			timer = undefined;
		};
		const fail = (): void => {
			stop();
			const url = options.url instanceof URL ? redactUrl(options.url) : 'the destination';
			const detail = `${transferred - atWindowStart} bytes in ${rate.windowMs} ms`;
			const why = new Error(`the body arrived at less than ${rate.minBytesPerSecond} bytes/s (${detail})`);
			request?.destroy(new RequestTimeoutError(url, BODY_RATE_PHASE, why));
		};
		const onRequest = (hop: ClientRequest): void => {
			stop();
			request = hop;
			hop.once('close', stop);
		};
		const onProgress = (progress: Progress): void => {
			transferred = progress.transferred;
			if (progress.percent === 1) {
				stop();
				return;
			}
			if (timer !== undefined) return;
			atWindowStart = transferred;
			timer = setInterval(() => {
				if (transferred - atWindowStart < minPerWindow) fail();
				else atWindowStart = transferred;
			}, rate.windowMs);
			timer.unref();
		};
		const events = result as unknown as {
			on(event: 'request', listener: (request: ClientRequest) => void): unknown;
			on(event: 'downloadProgress', listener: (progress: Progress) => void): unknown;
		};
		events.on('request', onRequest);
		events.on('downloadProgress', onProgress);
		return result;
	}) as HandlerFunction;
}
