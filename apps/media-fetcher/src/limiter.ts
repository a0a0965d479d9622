/**
 * A counting semaphore: at most `max` holders at once, the rest wait in arrival order. Bounds how many remote
 * downloads run at the same time, however many different files clients ask for. The wait itself is bounded
 * (docs/architecture.md 3.5: every operation has a deadline): at most `maxWaiting` callers queue, each for at most
 * `waitTimeoutMs`, and a waiter whose signal aborts leaves the queue at once.
 */
import { MediaFetcherError } from './errors.js';

/** Why {@link Limiter.acquire} gave up: the queue was full, the wait timed out, or the caller's signal aborted. */
export class LimiterWaitError extends Error {
	override readonly name = 'LimiterWaitError';
	constructor(
		readonly reason: 'full' | 'timeout' | 'aborted',
		message: string,
	) {
		super(message);
	}
}

/** Options of {@link Limiter}. */
export interface LimiterOptions {
	/** Callers that may wait at once; more are refused (`full`). Default unbounded. */
	readonly maxWaiting?: number;
	/** How long one caller may wait for a permit (`timeout`). Default unbounded. */
	readonly waitTimeoutMs?: number;
}

interface Waiter {
	readonly grant: () => void;
}

/** Grants at most `max` concurrent permits. */
export class Limiter {
	readonly #max: number;
	readonly #maxWaiting: number;
	readonly #waitTimeoutMs: number | undefined;
	#active = 0;
	readonly #waiting: Waiter[] = [];

	constructor(max: number, options: LimiterOptions = {}) {
		if (!Number.isInteger(max) || max < 1) {
			throw new MediaFetcherError('ERR_MEDIA_INVALID_OPTION', `max must be a positive integer, got ${max}`);
		}
		const { maxWaiting = Number.POSITIVE_INFINITY, waitTimeoutMs } = options;
		if (maxWaiting !== Number.POSITIVE_INFINITY && (!Number.isInteger(maxWaiting) || maxWaiting < 0)) {
			throw new RangeError(`maxWaiting must be a non-negative integer, got ${maxWaiting}`);
		}
		if (waitTimeoutMs !== undefined && (!Number.isFinite(waitTimeoutMs) || waitTimeoutMs <= 0)) {
			throw new RangeError(`waitTimeoutMs must be a positive number, got ${waitTimeoutMs}`);
		}
		this.#max = max;
		this.#maxWaiting = maxWaiting;
		this.#waitTimeoutMs = waitTimeoutMs;
	}

	/**
	 * Waits for a permit; call the returned function once to give it back. Rejects with a {@link LimiterWaitError}
	 * when the queue is full, the wait times out or `signal` aborts (the caller then holds nothing).
	 */
	async acquire(signal?: AbortSignal): Promise<() => void> {
		if (signal?.aborted === true) {
			throw new LimiterWaitError('aborted', 'The wait for a download slot was cancelled');
		}
		if (this.#active < this.#max) {
			this.#active++;
			return this.#releaser();
		}
		if (this.#waiting.length >= this.#maxWaiting) {
			throw new LimiterWaitError('full', 'Too many requests are waiting for a download slot');
		}
		await new Promise<void>((resolve, reject) => {
			let timer: NodeJS.Timeout | undefined;
			const leave = (error: LimiterWaitError): void => {
				const index = this.#waiting.indexOf(waiter);
				if (index !== -1) this.#waiting.splice(index, 1);
				cleanup();
				reject(error);
			};
			const onAbort = (): void =>
				leave(new LimiterWaitError('aborted', 'The wait for a download slot was cancelled'));
			const cleanup = (): void => {
				if (timer !== undefined) clearTimeout(timer);
				signal?.removeEventListener('abort', onAbort);
			};
			const waiter: Waiter = {
				grant: () => {
					cleanup();
					resolve();
				},
			};
			this.#waiting.push(waiter);
			signal?.addEventListener('abort', onAbort, { once: true });
			if (this.#waitTimeoutMs !== undefined) {
				const ms = this.#waitTimeoutMs;
				timer = setTimeout(
					() => leave(new LimiterWaitError('timeout', `No download slot became free within ${ms} ms`)),
					ms,
				);
			}
		});
		return this.#releaser();
	}

	#releaser(): () => void {
		let released = false;
		return () => {
			if (released) return;
			released = true;
			const next = this.#waiting.shift();
			if (next === undefined) {
				this.#active--;
			} else {
				next.grant();
			}
		};
	}

	/** Permits in use. */
	get active(): number {
		return this.#active;
	}

	/** Callers waiting for a permit. */
	get waiting(): number {
		return this.#waiting.length;
	}
}
