/**
 * A minimum transfer rate for a response body: a pass-through stream that fails when fewer than
 * `minBytesPerSecond × windowMs / 1000` bytes arrived in any window of `windowMs`, counted from the moment it is
 * created. A remote that trickles a byte every few seconds is cut after one window instead of holding its
 * download slot until the overall deadline (docs/architecture.md 3.5). Wrapped around the raw transport body, it
 * covers every byte: a multipart preamble and part headers as much as the media.
 *
 * Self-contained (it only needs the error to fail with), so any purpose's body can use it.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** Options of {@link bodyRateGuard}. */
export interface BodyRateOptions {
	/** The slowest acceptable average rate over one window. 0 turns the guard off. */
	readonly minBytesPerSecond: number;
	/** The window the rate is measured over, in milliseconds. */
	readonly windowMs: number;
	/** The error the stream fails with (given the bytes seen in the slow window). */
	readonly tooSlow: (received: number, windowMs: number) => Error;
}

/** Validates the options at the boundary. */
function check(options: BodyRateOptions): void {
	const { minBytesPerSecond, windowMs } = options;
	if (!Number.isFinite(minBytesPerSecond) || minBytesPerSecond < 0) {
		throw new RangeError(`minBytesPerSecond must be a non-negative number, got ${minBytesPerSecond}`);
	}
	if (!Number.isFinite(windowMs) || windowMs <= 0) {
		throw new RangeError(`windowMs must be a positive number, got ${windowMs}`);
	}
}

/** A pass-through that enforces the minimum rate; its timer stops when the stream ends, fails or is destroyed (and an abandoned stream fails after one window, so the timer never outlives it for long). */
export function bodyRateGuard(options: BodyRateOptions): Transform {
	check(options);
	const { minBytesPerSecond, windowMs, tooSlow } = options;
	const needed = Math.ceil((minBytesPerSecond * windowMs) / 1000);
	let inWindow = 0;
	let timer: NodeJS.Timeout | undefined;
	const guard = new Transform({
		transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
			inWindow += chunk.length;
			callback(null, chunk);
		},
		flush(callback: TransformCallback) {
			clearInterval(timer);
			callback();
		},
		destroy(error: Error | null, callback: (error: Error | null) => void) {
			clearInterval(timer);
			callback(error);
		},
	});
	if (needed > 0) {
		timer = setInterval(() => {
			if (inWindow < needed) {
				clearInterval(timer);
				guard.destroy(tooSlow(inWindow, windowMs));
				return;
			}
			inWindow = 0;
		}, windowMs);
	}
	return guard;
}
