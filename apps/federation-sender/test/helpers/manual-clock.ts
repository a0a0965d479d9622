/** A clock that moves only when a test says so; timers fire in due order during `advance`. */
import type { Clock } from '../../src/clock.js';

interface Timer {
	due: number;
	seq: number;
	fn: () => void;
}

export class ManualClock implements Clock {
	#now: number;
	#seq = 0;
	#timers: Timer[] = [];

	constructor(start = 1_700_000_000_000) {
		this.#now = start;
	}

	now(): number {
		return this.#now;
	}

	setTimer(ms: number, fn: () => void): () => void {
		const timer = { due: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
		this.#timers.push(timer);
		return () => {
			this.#timers = this.#timers.filter((t) => t !== timer);
		};
	}

	/** Timers still pending, with their due times. */
	get pending(): number[] {
		return this.#timers.map((t) => t.due).sort((a, b) => a - b);
	}

	/** Moves time forward by `ms`, firing due timers in order (letting promises settle between them). */
	async advance(ms: number): Promise<void> {
		const target = this.#now + ms;
		for (;;) {
			await settle();
			const next = [...this.#timers].sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
			if (next === undefined || next.due > target) break;
			this.#timers = this.#timers.filter((t) => t !== next);
			this.#now = Math.max(this.#now, next.due);
			next.fn();
		}
		this.#now = target;
		await settle();
	}
}

/** Lets pending promise callbacks and I/O callbacks run. */
export async function settle(): Promise<void> {
	for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
