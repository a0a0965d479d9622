/**
 * A bounded number of operations at once, granted in arrival order. The transport holds one for the resolutions
 * that fetch a `.well-known` (`federation_sender.max_concurrent_resolutions`): the part of a send any remote
 * controls and can make slow. A waiter gives up when its signal aborts (the attempt's deadline), so a wait is as
 * bounded as the send it belongs to.
 */

interface Waiter {
	readonly grant: () => void;
}

/** Permits for concurrent operations; see the module comment. */
export class PermitGate {
	readonly #limit: number;
	readonly #queue: Waiter[] = [];
	#active = 0;
	#peak = 0;

	constructor(limit: number) {
		if (!Number.isSafeInteger(limit) || limit < 1) {
			throw new RangeError(`the number of permits must be a whole number >= 1, got ${String(limit)}`);
		}
		this.#limit = limit;
	}

	/** Operations holding a permit now. */
	get active(): number {
		return this.#active;
	}

	/** Operations waiting for a permit now. */
	get waiting(): number {
		return this.#queue.length;
	}

	/** The most permits ever held at once (for tests and diagnostics). */
	get peak(): number {
		return this.#peak;
	}

	/**
	 * Runs `work` holding a permit, waiting for one first when all are taken. Rejects with `signal.reason` if the
	 * signal aborts while waiting (the permit is then not taken). The permit is returned when `work` settles.
	 */
	async run<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
		await this.#acquire(signal);
		try {
			return await work();
		} finally {
			this.#release();
		}
	}

	#acquire(signal: AbortSignal): Promise<void> {
		if (signal.aborted) return Promise.reject(signal.reason as Error);
		if (this.#active < this.#limit) {
			this.#take();
			return Promise.resolve();
		}
		return new Promise<void>((resolve, reject) => {
			const waiter: Waiter = {
				grant: () => {
					signal.removeEventListener('abort', onAbort);
					this.#take();
					resolve();
				},
			};
			const onAbort = (): void => {
				const index = this.#queue.indexOf(waiter);
				if (index !== -1) this.#queue.splice(index, 1);
				reject(signal.reason as Error);
			};
			signal.addEventListener('abort', onAbort, { once: true });
			this.#queue.push(waiter);
		});
	}

	#take(): void {
		this.#active++;
		this.#peak = Math.max(this.#peak, this.#active);
	}

	#release(): void {
		this.#active--;
		this.#queue.shift()?.grant();
	}
}
