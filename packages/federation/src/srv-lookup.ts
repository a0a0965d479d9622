import { raceAbort, timeoutSignal } from './abort.js';
import { describeInput } from './errors.js';
import { parseServerName } from './server-name.js';
import { sortSrvRecords } from './srv-records.js';
import type { SrvDns, SrvRecord } from './srv-records.js';

/** DNS error codes that mean "no such record" rather than "DNS failed". */
const NO_RECORD_CODES = new Set(['ENOTFOUND', 'ENODATA', 'ENOTIMP']);
/** More records than this in one answer are ignored (hostile DNS). */
const MAX_RECORDS = 64;
/** An SRV answer that has not come after this long is a DNS failure (default of `srvTimeoutMs`). */
export const SRV_TIMEOUT_MS = 5000;

/** The marker reason of an SRV lookup's own timer. */
class SrvTimeout extends Error {}

/** An SRV lookup failed (not "no record"); the resolver turns it into a `FederationResolutionError`. */
export class SrvLookupFailure extends Error {}

/** An SRV target ready to connect to: the host in IDNA ASCII lower case, IPv6 without brackets. */
export interface SrvTarget {
	readonly host: string;
	readonly port: number;
	readonly priority: number;
	readonly weight: number;
}

/** The outcome of one SRV lookup: targets in RFC 2782 order (empty when there are none) and what happened. */
export interface SrvLookupResult {
	readonly targets: readonly SrvTarget[];
	readonly detail: string;
}

interface CacheEntry {
	readonly targets: readonly SrvTarget[];
	/** Undefined when the resolver gave no TTL: then the entry only serves as a fallback on DNS failure. */
	readonly expiresAt: number | undefined;
}

/**
 * SRV lookups with Synapse's caching rules: answers are cached for their TTL; "no record" answers are not
 * cached; on any other DNS error the last answer (even an expired one) is used, else {@link SrvLookupFailure}
 * is thrown. A single record whose target is `.` means "service decidedly not available" (RFC 2782) and
 * throws too, as does an answer with no usable target.
 */
export class SrvLookup {
	readonly #dns: SrvDns;
	readonly #now: () => number;
	readonly #random: () => number;
	readonly #maxEntries: number;
	readonly #timeoutMs: number;
	readonly #cache = new Map<string, CacheEntry>();

	constructor(options: {
		dns: SrvDns;
		now: () => number;
		random: () => number;
		maxEntries: number;
		/** An answer not in after this long counts as a DNS failure (default {@link SRV_TIMEOUT_MS}). */
		timeoutMs?: number;
	}) {
		this.#dns = options.dns;
		this.#timeoutMs = options.timeoutMs ?? SRV_TIMEOUT_MS;
		this.#now = options.now;
		this.#random = options.random;
		this.#maxEntries = options.maxEntries;
	}

	/**
	 * Looks up `name`, e.g. `_matrix-fed._tcp.example.org`. An answer that does not come within the lookup's timeout
	 * is a DNS failure (the last answer is used when there is one); an abort of `signal` rejects with its reason.
	 */
	async lookup(name: string, signal?: AbortSignal): Promise<SrvLookupResult> {
		const cached = this.#cache.get(name);
		if (cached?.expiresAt !== undefined && cached.expiresAt > this.#now()) {
			return this.#result(cached.targets, `SRV ${name}: ${count(cached.targets)} (cached)`);
		}
		let records: readonly SrvRecord[];
		const timer = timeoutSignal(this.#timeoutMs, () => new SrvTimeout());
		const deadline = signal === undefined ? timer.signal : AbortSignal.any([timer.signal, signal]);
		try {
			records = await raceAbort(this.#dns.resolveSrv(name), deadline);
		} catch (error) {
			if (signal?.aborted === true) throw signal.reason;
			const timedOut = error instanceof SrvTimeout;
			const code = timedOut
				? `no answer within ${this.#timeoutMs} ms`
				: (error as { code?: unknown } | null)?.code;
			if (typeof code === 'string' && NO_RECORD_CODES.has(code)) {
				return { targets: [], detail: `SRV ${name}: no records (${code})` };
			}
			const reason = typeof code === 'string' ? code : 'DNS error';
			if (cached !== undefined) {
				return this.#result(
					cached.targets,
					`SRV ${name}: ${reason}, using the last answer: ${count(cached.targets)}`,
				);
			}
			throw new SrvLookupFailure(`SRV lookup of ${name} failed (${reason})`, { cause: error });
		} finally {
			timer.clear();
		}
		if (records.length === 1 && (records[0]?.name === '' || records[0]?.name === '.')) {
			throw new SrvLookupFailure(`SRV ${name} says the service is not available (target ".")`);
		}
		const targets: SrvTarget[] = [];
		const skipped: string[] = [];
		for (const record of records.slice(0, MAX_RECORDS)) {
			const target = toTarget(record);
			if (target === undefined) {
				skipped.push(describeInput(record.name, 60));
			} else {
				targets.push(target);
			}
		}
		if (targets.length === 0 && records.length > 0) {
			throw new SrvLookupFailure(`SRV ${name} has no usable target (ignored ${skipped.join(', ')})`);
		}
		const ttls = records.map((record) => record.ttl);
		const minTtl = ttls.every((ttl) => typeof ttl === 'number' && ttl >= 0)
			? Math.min(...(ttls as number[]))
			: undefined;
		if (targets.length > 0) {
			this.#remember(name, {
				targets,
				expiresAt: minTtl === undefined ? undefined : this.#now() + minTtl * 1000,
			});
		}
		const skippedNote = skipped.length === 0 ? '' : `; ignored invalid target(s) ${skipped.join(', ')}`;
		return this.#result(targets, `SRV ${name}: ${count(targets)}${skippedNote}`);
	}

	/** Forgets every cached answer. */
	clear(): void {
		this.#cache.clear();
	}

	#result(targets: readonly SrvTarget[], detail: string): SrvLookupResult {
		return { targets: sortSrvRecords(targets, this.#random), detail };
	}

	#remember(name: string, entry: CacheEntry): void {
		this.#cache.delete(name);
		this.#cache.set(name, entry);
		while (this.#cache.size > this.#maxEntries) {
			const oldest = this.#cache.keys().next().value;
			if (oldest === undefined) break;
			this.#cache.delete(oldest);
		}
	}
}

function toTarget(record: SrvRecord): SrvTarget | undefined {
	const valid16 = (n: unknown): n is number =>
		Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 65535;
	if (typeof record.name !== 'string' || !valid16(record.port) || record.port === 0) return undefined;
	if (!valid16(record.priority) || !valid16(record.weight)) return undefined;
	const name = record.name.endsWith('.') ? record.name.slice(0, -1) : record.name;
	try {
		const parsed = parseServerName(name);
		if (parsed.port !== undefined) return undefined;
		return { host: parsed.host, port: record.port, priority: record.priority, weight: record.weight };
	} catch {
		return undefined;
	}
}

function count(targets: readonly SrvTarget[]): string {
	return targets.length === 1 ? '1 target' : `${targets.length} targets`;
}
