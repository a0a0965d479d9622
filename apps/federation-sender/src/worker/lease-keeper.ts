/**
 * One instance's view of the destination leases (docs/architecture.md 5). Which live instance should work a
 * destination is decided by rendezvous hashing over the names of the live instances: every instance computes
 * the same owner from the same list, a destination moves only when its owner comes or goes, and nothing has
 * to be configured or restarted. The lease in the database is what actually grants the work: an instance
 * claims the destinations it owns (free or expired leases only), gives back those that now belong to someone
 * else (between turns), and treats all its leases as lost when its heartbeat has not succeeded for a TTL.
 */
import type { Clock } from '../clock.js';
import type { LeaseTable } from '../outbox/types.js';

/** Lease settings of a `run` instance. */
export interface LeaseSettings {
	readonly table: LeaseTable;
	/** This instance's name (`--instance`; default host name and pid). */
	readonly instance: string;
	/** A lease lasts this long after the holder's last heartbeat. */
	readonly ttlMs: number;
	/** Heartbeat period (default a third of the TTL, so two heartbeats may fail before a lease lapses). */
	readonly heartbeatMs?: number;
}

/** FNV-1a, 32 bits: a fast, stable hash (not a security boundary; only spreads destinations). */
function fnv1a(text: string): number {
	let hash = 0x81_1c_9d_c5;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01_00_01_93) >>> 0;
	}
	return hash;
}

/** The live instance that owns `destination` (highest rendezvous score; ties broken by name). */
export function rendezvousOwner(destination: string, live: readonly string[]): string | undefined {
	let best: string | undefined;
	let bestScore = -1;
	for (const instance of live) {
		const score = fnv1a(`${instance}\u0000${destination}`);
		if (score > bestScore || (score === bestScore && best !== undefined && instance < best)) {
			best = instance;
			bestScore = score;
		}
	}
	return best;
}

/** Tracks the leases this instance holds. */
export class LeaseKeeper {
	readonly #s: Required<LeaseSettings>;
	readonly #clock: Clock;
	readonly #held = new Set<string>();
	#live: readonly string[];
	/** Local time until which the held leases are certainly still ours (last good heartbeat start + TTL). */
	#validUntil = 0;

	constructor(settings: LeaseSettings, clock: Clock) {
		this.#s = { heartbeatMs: Math.max(1, Math.floor(settings.ttlMs / 3)), ...settings };
		this.#clock = clock;
		this.#live = [settings.instance];
	}

	get instance(): string {
		return this.#s.instance;
	}

	get heartbeatMs(): number {
		return this.#s.heartbeatMs;
	}

	/** Whether this instance may work `destination` now. */
	holds(destination: string): boolean {
		return this.#held.has(destination) && this.#clock.now() < this.#validUntil;
	}

	/** Whether rendezvous hashing gives `destination` to this instance. */
	owns(destination: string): boolean {
		return rendezvousOwner(destination, this.#live) === this.#s.instance;
	}

	/** Live instances as of the last heartbeat. */
	get live(): readonly string[] {
		return this.#live;
	}

	/**
	 * Heartbeat: extends the held leases, learns the live instances, and gives back the leases of destinations
	 * that now belong to another live instance (except those `busy` says are being worked). Returns them.
	 */
	async beat(busy: (destination: string) => boolean): Promise<string[]> {
		const started = this.#clock.now();
		const { live, held } = await this.#s.table.heartbeat(this.#s.instance, this.#s.ttlMs);
		this.#validUntil = started + this.#s.ttlMs;
		this.#live = live.includes(this.#s.instance) ? live : [...live, this.#s.instance].sort();
		this.#held.clear();
		for (const destination of held) this.#held.add(destination);
		const giveBack = held.filter((destination) => !this.owns(destination) && !busy(destination));
		if (giveBack.length > 0) {
			await this.#s.table.release(this.#s.instance, giveBack);
			for (const destination of giveBack) this.#held.delete(destination);
		}
		return giveBack;
	}

	/**
	 * The destinations of `candidates` this instance may work: those it holds, plus those it owns and could
	 * claim. A destination owned by another live instance is left to it.
	 */
	async acquire(candidates: readonly string[]): Promise<string[]> {
		if (this.#clock.now() >= this.#validUntil) return [];
		const wanted = candidates.filter((d) => !this.#held.has(d) && this.owns(d));
		if (wanted.length > 0) {
			for (const destination of await this.#s.table.claim(this.#s.instance, wanted, this.#s.ttlMs)) {
				this.#held.add(destination);
			}
		}
		return candidates.filter((d) => this.#held.has(d));
	}

	/**
	 * Gives back the leases of those `destinations` that another live instance now owns (call when their turn is
	 * over), so that the owner can claim them at once instead of after this instance's next heartbeat.
	 */
	async giveBack(destinations: readonly string[]): Promise<void> {
		const theirs = destinations.filter((destination) => this.#held.has(destination) && !this.owns(destination));
		if (theirs.length === 0) return;
		for (const destination of theirs) this.#held.delete(destination);
		await this.#s.table.release(this.#s.instance, theirs);
	}

	/** Gives every lease back and removes the instance (clean shutdown). */
	async leave(): Promise<void> {
		this.#held.clear();
		this.#validUntil = 0;
		await this.#s.table.leave(this.#s.instance);
	}
}
