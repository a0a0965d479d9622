/**
 * Closed-loop load: `concurrency` workers each await one operation after another until a count or a time
 * limit is reached, whichever comes first. Every load in the benchmarks is bounded by both.
 */
import { performance } from 'node:perf_hooks';

/** Limits of one load run. */
export interface LoadLimits {
	readonly concurrency: number;
	/** Stop after this many operations in total. */
	readonly maxOps: number;
	/** Stop starting new operations after this long. */
	readonly maxMs: number;
}

/** What one load run achieved. */
export interface LoadResult {
	readonly ops: number;
	readonly errors: number;
	readonly elapsedMs: number;
	/** Successful operations per second. */
	readonly rate: number;
	/** The first error, to explain a failing contender. */
	readonly firstError: unknown;
}

/**
 * Runs `op` in a closed loop within `limits`. An operation that fails counts as an error; after 20 errors
 * the run stops early (a broken contender should not burn the time budget).
 */
export async function closedLoop(op: () => Promise<void>, limits: LoadLimits): Promise<LoadResult> {
	let started = 0;
	let ok = 0;
	let errors = 0;
	let firstError: unknown;
	const t0 = performance.now();
	const deadline = t0 + limits.maxMs;
	const worker = async (): Promise<void> => {
		while (started < limits.maxOps && errors < 20 && performance.now() < deadline) {
			started++;
			try {
				await op();
				ok++;
			} catch (error) {
				errors++;
				firstError ??= error;
			}
		}
	};
	await Promise.all(Array.from({ length: limits.concurrency }, worker));
	const elapsedMs = performance.now() - t0;
	return { ops: ok, errors, elapsedMs, rate: (ok * 1000) / elapsedMs, firstError };
}

/** Rejects with a timeout error if `promise` has not settled within `ms` (the timer does not keep the process alive). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
		timer.unref();
	});
	try {
		return await Promise.race([promise, timeout]);
	} finally {
		clearTimeout(timer);
	}
}

/** A short description of an error for the report (message and code, no stack). */
export function describeError(error: unknown): string {
	if (error instanceof Error) {
		const code = (error as { code?: unknown }).code;
		return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}`.slice(0, 300);
	}
	return String(error).slice(0, 300);
}

/** What {@link forEachBounded} did. */
export interface PoolResult {
	readonly ok: number;
	readonly errors: number;
	readonly firstError: unknown;
	readonly elapsedMs: number;
}

/**
 * Runs `fn` once per item with at most `concurrency` at a time, stopping new work after `maxMs`; counts
 * failures instead of throwing.
 */
export async function forEachBounded<T>(
	items: readonly T[],
	concurrency: number,
	maxMs: number,
	fn: (item: T, index: number) => Promise<void>,
): Promise<PoolResult> {
	let next = 0;
	let ok = 0;
	let errors = 0;
	let firstError: unknown;
	const t0 = performance.now();
	const worker = async (): Promise<void> => {
		while (next < items.length && performance.now() - t0 < maxMs) {
			const i = next++;
			try {
				await fn(items[i]!, i);
				ok++;
			} catch (error) {
				errors++;
				firstError ??= error;
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
	return { ok, errors, firstError, elapsedMs: performance.now() - t0 };
}

/** A scenario's time budget, so that the whole run stays within its bound even on a slow or busy machine. */
export interface Budget {
	/** Milliseconds left (negative once spent). */
	left(): number;
	/** Whether the budget is spent. */
	spent(): boolean;
}

/** A budget of `ms` from now. */
export function budget(ms: number): Budget {
	const end = performance.now() + ms;
	return { left: () => end - performance.now(), spent: () => performance.now() >= end };
}
