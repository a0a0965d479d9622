/**
 * Longest-prefix lookups over IP ranges (docs/architecture.md 3.3, 3.5): the table behind `no_proxy` matching and
 * the IP policy, built once from configuration, queried per request.
 */
import type { IpAddress } from './ip-address.js';

const HEX = '0123456789abcdef';

function maskV4(prefix: number): number {
	return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** The 32 lower-case hex digits of an IPv6 address: computed once per lookup, then cut at each prefix length. */
function hex128(value: bigint): string {
	return value.toString(16).padStart(32, '0');
}

/** Value of a lower-case hex digit's char code. */
function nibble(code: number): number {
	return code <= 57 ? code - 48 : code - 87;
}

interface Level<K, T> {
	readonly prefix: number;
	readonly mask: number;
	readonly slots: Map<K, T>;
}

/**
 * The key of an IPv6 network at one prefix length. Up to /32 (the common short blocklist prefixes): the masked
 * top 32 bits as a number, from `top`. Longer: the whole hex digits the prefix covers plus the masked partial
 * digit, `mask` being that digit's mask (0 when the prefix ends on a digit boundary).
 */
function keyV6(hex: string, top: number, prefix: number, mask: number): string | number {
	if (prefix <= 32) return (top & mask) >>> 0;
	const whole = hex.slice(0, prefix >> 2);
	return mask === 0 ? whole : whole + HEX[nibble(hex.charCodeAt(prefix >> 2)) & mask];
}

function maskV6(prefix: number): number {
	return prefix <= 32 ? maskV4(prefix) : (0xf0 >> (prefix & 3)) & 0xf;
}

/** The top 32 bits of an address given as {@link hex128}. */
function top32(hex: string): number {
	return Number.parseInt(hex.slice(0, 8), 16);
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
	// IPv6 keys come from the address's hex digits, computed once per lookup: its top 32 bits masked for prefixes
	// up to /32, else the digits cut at the prefix (no bigint mask and no bigint-to-string per level). Not bigint keys: V8 hashes a bigint by its low 64 bits only, so
	// networks that differ only in their upper half (every /64 or shorter prefix) would all collide.
	readonly #v6: Level<string | number, T>[] = [];
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
			return this.#upsertIn(level.slots, (network.value & level.mask) >>> 0, create);
		}
		const level = this.#level(this.#v6, prefix, maskV6(prefix));
		const hex = hex128(network.value);
		return this.#upsertIn(level.slots, keyV6(hex, top32(hex), prefix, level.mask), create);
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
				const payload = level.slots.get((address.value & level.mask) >>> 0);
				if (payload !== undefined) {
					const result = visit(payload, level.prefix, context as C);
					if (result !== undefined) return result;
				}
			}
			return undefined;
		}
		if (this.#v6.length === 0) return undefined;
		const hex = hex128(address.value);
		const top = top32(hex);
		for (const level of this.#v6) {
			const payload = level.slots.get(keyV6(hex, top, level.prefix, level.mask));
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

	#level<K>(levels: Level<K, T>[], prefix: number, mask: number): Level<K, T> {
		let level = levels.find((candidate) => candidate.prefix === prefix);
		if (level === undefined) {
			level = { prefix, mask, slots: new Map() };
			levels.push(level);
			levels.sort((a, b) => b.prefix - a.prefix);
		}
		return level;
	}
}
