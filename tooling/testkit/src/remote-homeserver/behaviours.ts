import { TestkitError } from '../errors.js';

/** What the server does with the next federation request instead of (or before) answering it normally. */
export type Behaviour =
	| { readonly kind: 'fail'; readonly status: number; readonly body: unknown }
	| { readonly kind: 'rate-limit'; readonly retryAfterMs: number }
	| { readonly kind: 'stall'; readonly ms: number | 'forever' };

function checkCount(count: number): void {
	if (!Number.isInteger(count) || count < 1 || count > 100_000) {
		throw new TestkitError('ERR_TESTKIT_INVALID_OPTION', `count must be a positive integer, got ${count}`);
	}
}

/**
 * A first-in, first-out queue of one-shot behaviours: each correctly signed `/_matrix/` request takes the next
 * one (if any). `failNext(2, 503)` then `answer429(1000)` makes the next three requests fail, in that order.
 */
export class BehaviourQueue {
	readonly #queue: Behaviour[] = [];
	readonly #held = new Set<() => void>();

	/** The next `count` requests answer `status` with a Matrix error body (M_UNKNOWN unless given). */
	failNext(count: number, status = 500, body?: unknown): void {
		checkCount(count);
		if (!Number.isInteger(status) || status < 200 || status > 599) {
			throw new TestkitError('ERR_TESTKIT_INVALID_OPTION', `invalid status ${status}`);
		}
		const answer = body ?? { errcode: 'M_UNKNOWN', error: `testkit: failing on purpose (${status})` };
		for (let i = 0; i < count; i++) this.#queue.push({ kind: 'fail', status, body: answer });
	}

	/** The next `count` requests answer 429 `M_LIMIT_EXCEEDED` with `retry_after_ms`. */
	answer429(retryAfterMs: number, count = 1): void {
		checkCount(count);
		if (!Number.isSafeInteger(retryAfterMs) || retryAfterMs < 0) {
			throw new TestkitError('ERR_TESTKIT_INVALID_OPTION', `invalid retry_after_ms ${retryAfterMs}`);
		}
		for (let i = 0; i < count; i++) this.#queue.push({ kind: 'rate-limit', retryAfterMs });
	}

	/**
	 * The next `count` requests get no answer for `ms` milliseconds (then are handled normally), or never
	 * (`'forever'`: until {@link release} or the server closes).
	 */
	stall(ms: number | 'forever', count = 1): void {
		checkCount(count);
		if (ms !== 'forever' && (!Number.isSafeInteger(ms) || ms < 0)) {
			throw new TestkitError('ERR_TESTKIT_INVALID_OPTION', `invalid stall time ${ms}`);
		}
		for (let i = 0; i < count; i++) this.#queue.push({ kind: 'stall', ms });
	}

	/** Drops every queued behaviour (held requests stay held; see {@link release}). */
	clear(): void {
		this.#queue.length = 0;
	}

	/** Lets every stalled request go on (handled normally). */
	release(): void {
		for (const resume of this.#held) resume();
		this.#held.clear();
	}

	/** Requests currently stalled. */
	get held(): number {
		return this.#held.size;
	}

	/** Behaviours still queued. */
	get pending(): number {
		return this.#queue.length;
	}

	/** Takes the next behaviour, if any. */
	take(): Behaviour | undefined {
		return this.#queue.shift();
	}

	/** Waits out a stall; resolves early on {@link release}. `signal` aborts the wait (client gone, server closed). */
	async hold(ms: number | 'forever', signal: AbortSignal): Promise<void> {
		await new Promise<void>((resolve) => {
			const done = (): void => {
				clearTimeout(timer);
				this.#held.delete(done);
				signal.removeEventListener('abort', done);
				resolve();
			};
			const timer = ms === 'forever' ? undefined : setTimeout(done, ms);
			this.#held.add(done);
			signal.addEventListener('abort', done, { once: true });
		});
	}
}
