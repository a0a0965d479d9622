/**
 * A counting semaphore: at most `max` holders at once, the rest wait in arrival order. Bounds how many remote
 * downloads run at the same time, however many different files clients ask for.
 */
import { MediaFetcherError } from './errors.js';

/** Grants at most `max` concurrent permits. */
export class Limiter {
	readonly #max: number;
	#active = 0;
	readonly #waiting: Array<() => void> = [];

	constructor(max: number) {
		if (!Number.isInteger(max) || max < 1) {
			throw new MediaFetcherError('ERR_MEDIA_INVALID_OPTION', `max must be a positive integer, got ${max}`);
		}
		this.#max = max;
	}

	/** Waits for a permit; call the returned function once to give it back. */
	async acquire(): Promise<() => void> {
		if (this.#active >= this.#max) {
			await new Promise<void>((resolve) => this.#waiting.push(resolve));
		} else {
			this.#active++;
		}
		let released = false;
		return () => {
			if (released) return;
			released = true;
			const next = this.#waiting.shift();
			if (next === undefined) {
				this.#active--;
			} else {
				next();
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
