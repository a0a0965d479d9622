import type { IpAddress } from './ip-address.js';

const V6_ALL = (1n << 128n) - 1n;

function maskV4(prefix: number): number {
	return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function maskV6(prefix: number): bigint {
	return prefix === 0 ? 0n : (V6_ALL >> BigInt(128 - prefix)) << BigInt(128 - prefix);
}

interface Level<K, T> {
	readonly prefix: number;
	readonly mask: number | bigint;
	readonly slots: Map<K, T>;
}

/**
 * IP ranges (CIDR prefixes) with a payload each, looked up longest prefix first.
 *
 * CIDR ranges are either nested or disjoint, so an address matches at most one range per prefix length: one hash
 * table per prefix length in use makes a lookup cost O(distinct prefix lengths) (at most 33 or 129 probes),
 * independent of how many ranges there are. Build once, query many times.
 */
export class PrefixTable<T> {
	readonly #v4: Level<number, T>[] = [];
	// IPv6 keys are strings: V8 hashes a bigint by its low 64 bits only, so networks that differ only in their
	// upper half (every /64 or shorter prefix) would all collide and turn lookups linear.
	readonly #v6: Level<string, T>[] = [];
	#size = 0;

	/** Number of distinct (range) slots stored. */
	get size(): number {
		return this.#size;
	}

	/**
	 * Returns the payload stored for exactly this range, creating it with `create` when absent. Host bits of
	 * `network` are cleared.
	 */
	upsert(network: IpAddress, prefix: number, create: () => T): T {
		if (network.family === 4) {
			const level = this.#level(this.#v4, prefix, maskV4(prefix));
			return this.#upsertIn(level.slots, (network.value & (level.mask as number)) >>> 0, create);
		}
		const level = this.#level(this.#v6, prefix, maskV6(prefix));
		return this.#upsertIn(level.slots, (network.value & (level.mask as bigint)).toString(32), create);
	}

	/**
	 * Visits the ranges containing `address`, longest prefix first, until `visit` returns something other than
	 * undefined; returns that value. `context` is handed to `visit`, so a hot caller can pass a function created
	 * once instead of a closure per call.
	 */
	find<R, C = undefined>(
		address: IpAddress,
		visit: (payload: T, prefix: number, context: C) => R | undefined,
		context?: C,
	): R | undefined {
		if (address.family === 4) {
			for (const level of this.#v4) {
				const payload = level.slots.get((address.value & (level.mask as number)) >>> 0);
				if (payload !== undefined) {
					const result = visit(payload, level.prefix, context as C);
					if (result !== undefined) return result;
				}
			}
			return undefined;
		}
		for (const level of this.#v6) {
			const payload = level.slots.get((address.value & (level.mask as bigint)).toString(32));
			if (payload !== undefined) {
				const result = visit(payload, level.prefix, context as C);
				if (result !== undefined) return result;
			}
		}
		return undefined;
	}

	#upsertIn<K>(slots: Map<K, T>, key: K, create: () => T): T {
		let payload = slots.get(key);
		if (payload === undefined) {
			payload = create();
			slots.set(key, payload);
			this.#size++;
		}
		return payload;
	}

	#level<K>(levels: Level<K, T>[], prefix: number, mask: number | bigint): Level<K, T> {
		let level = levels.find((candidate) => candidate.prefix === prefix);
		if (level === undefined) {
			level = { prefix, mask, slots: new Map() };
			levels.push(level);
			levels.sort((a, b) => b.prefix - a.prefix);
		}
		return level;
	}
}
