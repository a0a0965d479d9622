/** One DNS SRV record, in the shape `node:dns` `resolveSrv` returns, plus an optional TTL. */
export interface SrvRecord {
	/** Target host name (a trailing dot is ignored). */
	readonly name: string;
	readonly port: number;
	readonly priority: number;
	readonly weight: number;
	/** Time to live in seconds, when the resolver knows it (`node:dns` does not); enables caching. */
	readonly ttl?: number;
}

/**
 * The DNS lookups server-name resolution needs. `resolveSrv` rejects with an error whose `code` is `ENOTFOUND`,
 * `ENODATA` (or `ENOTIMP`) when there is no such record; any other code is a DNS failure. `node:dns/promises`
 * fits this shape; tests inject a fake.
 */
export interface SrvDns {
	resolveSrv(name: string): Promise<readonly SrvRecord[]>;
}

/**
 * Orders SRV records as RFC 2782 says: by ascending priority, and within one priority by a weighted random
 * draw (a record with weight w out of a total W comes first with probability w/W; zero-weight records follow in
 * random order). `random` returns a number in [0, 1), like `Math.random`. Returns a new array.
 */
export function sortSrvRecords<T extends { readonly priority: number; readonly weight: number }>(
	records: readonly T[],
	random: () => number,
): T[] {
	const byPriority = new Map<number, T[]>();
	for (const record of records) {
		const group = byPriority.get(record.priority);
		if (group === undefined) {
			byPriority.set(record.priority, [record]);
		} else {
			group.push(record);
		}
	}
	const sorted: T[] = [];
	for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
		const group = byPriority.get(priority) ?? [];
		let total = group.reduce((sum, record) => sum + record.weight, 0);
		while (group.length > 0 && total > 0) {
			// A draw in 1..total, then the first record whose running weight reaches it.
			let target = 1 + Math.floor(random() * total);
			let index = 0;
			for (; index < group.length - 1; index++) {
				target -= group[index]?.weight ?? 0;
				if (target <= 0) break;
			}
			const [chosen] = group.splice(index, 1);
			if (chosen === undefined) break;
			sorted.push(chosen);
			total -= chosen.weight;
		}
		sorted.push(...shuffle(group, random));
	}
	return sorted;
}

function shuffle<T>(items: T[], random: () => number): T[] {
	for (let i = items.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[items[i], items[j]] = [items[j] as T, items[i] as T];
	}
	return items;
}
