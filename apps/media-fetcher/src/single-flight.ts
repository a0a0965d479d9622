/**
 * Single-flight: concurrent callers asking for the same key share one in-progress operation instead of each
 * starting their own. The entry is removed when the operation settles, so a failure is not cached. Each caller
 * may leave early (its signal aborts): it gets the abort reason at once, and when the last caller has left, the
 * shared operation is aborted too: nobody waits for its result any more (docs/architecture.md 3.5).
 */

/** An Error for a rejection (a thrown non-Error is kept as the cause). */
function asError(reason: unknown): Error {
	return reason instanceof Error ? reason : new Error('Operation failed or was left', { cause: reason });
}

interface Flight<V> {
	readonly promise: Promise<V>;
	readonly controller: AbortController;
	waiters: number;
}

/** A map of in-flight operations by key. */
export class SingleFlight<K, V> {
	readonly #flights = new Map<K, Flight<V>>();

	/**
	 * Joins the operation running for `key`, or starts `start(signal)`; `shared` tells which happened. `signal`
	 * is this caller's: when it aborts, this caller's promise rejects with its reason, and the operation's own
	 * signal aborts once no caller is left.
	 */
	run(
		key: K,
		start: (signal: AbortSignal) => Promise<V>,
		signal?: AbortSignal,
	): { readonly promise: Promise<V>; readonly shared: boolean } {
		let flight = this.#flights.get(key);
		const shared = flight !== undefined;
		if (flight === undefined) {
			const controller = new AbortController();
			// Started synchronously, so that what `start` sets up before its first await is there for the next caller.
			let started: Promise<V>;
			try {
				started = start(controller.signal);
			} catch (error) {
				started = Promise.reject(asError(error));
			}
			const promise = started.finally(() => {
				if (this.#flights.get(key) === created) this.#flights.delete(key);
			});
			const created: Flight<V> = { promise, controller, waiters: 0 };
			flight = created;
			this.#flights.set(key, created);
		}
		return { promise: this.#join(flight, signal), shared };
	}

	#join(flight: Flight<V>, signal: AbortSignal | undefined): Promise<V> {
		flight.waiters++;
		if (signal === undefined) {
			return flight.promise.finally(() => {
				flight.waiters--;
			});
		}
		return new Promise<V>((resolve, reject) => {
			let left = false;
			const leave = (): void => {
				if (left) return;
				left = true;
				signal.removeEventListener('abort', onAbort);
				flight.waiters--;
			};
			const onAbort = (): void => {
				leave();
				if (flight.waiters === 0) flight.controller.abort(signal.reason);
				reject(asError(signal.reason));
			};
			if (signal.aborted) {
				onAbort();
				return;
			}
			signal.addEventListener('abort', onAbort, { once: true });
			flight.promise.then(
				(value) => {
					leave();
					resolve(value);
				},
				(error: unknown) => {
					leave();
					reject(asError(error));
				},
			);
		});
	}

	/** How many operations are in flight. */
	get size(): number {
		return this.#flights.size;
	}
}
