/**
 * Time as the sender sees it: injectable so tests can move time (backoff of ten minutes to seven days)
 * without waiting, and without timed assertions.
 */
export interface Clock {
	/** Milliseconds since the epoch. */
	now(): number;
	/** Calls `fn` once after `ms` milliseconds; returns a function that cancels it. */
	setTimer(ms: number, fn: () => void): () => void;
}

/** Longest delay `setTimeout` accepts; longer timers are re-armed in steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The real clock: `Date.now` and `setTimeout`, re-armed in steps for delays beyond ~24.8 days. */
export const systemClock: Clock = {
	now: () => Date.now(),
	setTimer(ms, fn) {
		const due = Date.now() + Math.max(0, ms);
		let handle: NodeJS.Timeout;
		const arm = (): void => {
			const left = due - Date.now();
			handle = setTimeout(left > MAX_TIMEOUT_MS ? arm : fn, Math.min(Math.max(0, left), MAX_TIMEOUT_MS));
		};
		arm();
		return () => clearTimeout(handle);
	},
};

/**
 * Resolves after `ms` on `clock`, or rejects with the signal's reason as soon as `signal` aborts
 * (used by HTTP-level retries so shutdown never waits for a sleeping retry).
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(signal.reason as Error);
			return;
		}
		const onAbort = (): void => {
			cancel();
			reject(signal?.reason as Error);
		};
		const cancel = clock.setTimer(ms, () => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		});
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}
