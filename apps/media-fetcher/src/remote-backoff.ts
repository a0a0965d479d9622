/**
 * Remote servers refused for a while: one whose download was too slow or ran into its deadline is treated like a
 * failing one (docs/architecture.md 3.5), so later requests for its media fail at once instead of taking another
 * download slot from everybody else.
 */

/** Back-off deadlines by server name; expired entries are dropped as they are seen. */
export class RemoteBackoff {
	readonly #ms: number;
	readonly #until = new Map<string, number>();
	readonly #now: () => number;

	/** `ms` 0 turns the back-off off. */
	constructor(ms: number, now: () => number = Date.now) {
		if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`backoff must be 0 ms or more, got ${ms}`);
		this.#ms = ms;
		this.#now = now;
	}

	/** Backs `serverName` off for the configured time from now. */
	fail(serverName: string): void {
		if (this.#ms === 0) return;
		const now = this.#now();
		for (const [name, until] of this.#until) {
			if (until <= now) this.#until.delete(name);
		}
		this.#until.set(serverName, now + this.#ms);
	}

	/** Milliseconds `serverName` stays backed off, 0 when it is not. */
	remainingMs(serverName: string): number {
		const until = this.#until.get(serverName);
		if (until === undefined) return 0;
		const left = until - this.#now();
		if (left <= 0) {
			this.#until.delete(serverName);
			return 0;
		}
		return left;
	}

	/** Servers backed off now (for metrics and tests). */
	get size(): number {
		return this.#until.size;
	}
}
