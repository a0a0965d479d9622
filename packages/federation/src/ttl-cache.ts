/** One cached value with its expiry. */
export interface TtlEntry<V> {
	readonly value: V;
	/** Absolute expiry time (ms, on the cache's clock). */
	readonly expiresAt: number;
	/** The time to live it was stored with (ms). */
	readonly ttlMs: number;
}

/**
 * A small map whose entries expire, bounded in size (the oldest entry goes first), so that hostile input (many
 * server names) cannot grow it without limit. Times come from the caller, so tests can drive the clock.
 */
export class TtlCache<V> {
	readonly #entries = new Map<string, TtlEntry<V>>();
	readonly #maxEntries: number;

	constructor(maxEntries: number) {
		this.#maxEntries = maxEntries;
	}

	/** The live entry for `key` at time `now`, or undefined (an expired entry is dropped). */
	get(key: string, now: number): TtlEntry<V> | undefined {
		const entry = this.#entries.get(key);
		if (entry === undefined) return undefined;
		if (now < entry.expiresAt) return entry;
		this.#entries.delete(key);
		return undefined;
	}

	/** Stores `value` for `ttlMs` from `now`. */
	set(key: string, value: V, ttlMs: number, now: number): void {
		this.#entries.delete(key);
		this.#entries.set(key, { value, expiresAt: now + ttlMs, ttlMs });
		while (this.#entries.size > this.#maxEntries) {
			const oldest = this.#entries.keys().next().value;
			if (oldest === undefined) break;
			this.#entries.delete(oldest);
		}
	}

	clear(): void {
		this.#entries.clear();
	}
}
