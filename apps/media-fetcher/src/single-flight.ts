/**
 * Single-flight: concurrent callers asking for the same key share one in-progress operation instead of each
 * starting their own. The entry is removed when the operation settles, so a failure is not cached.
 */

/** A map of in-flight operations by key. */
export class SingleFlight<K, V> {
	readonly #flights = new Map<K, Promise<V>>();

	/** Joins the operation running for `key`, or starts `start()`; `shared` tells which happened. */
	run(key: K, start: () => Promise<V>): { readonly promise: Promise<V>; readonly shared: boolean } {
		const running = this.#flights.get(key);
		if (running !== undefined) {
			return { promise: running, shared: true };
		}
		const promise = start().finally(() => {
			this.#flights.delete(key);
		});
		this.#flights.set(key, promise);
		return { promise, shared: false };
	}

	/** How many operations are in flight. */
	get size(): number {
		return this.#flights.size;
	}
}
