/**
 * A synchronous micro-benchmark loop for pure decisions: calls `decide` over a list of inputs for a time
 * budget (and at least `minOps` calls) and returns calls per second. Results feed a sink so the work is not
 * optimised away.
 */
import { performance } from 'node:perf_hooks';

let sink = 0;

/** Keeps results observable (read at the end of a run, so the JIT cannot drop the calls). */
export function sinkValue(): number {
	return sink;
}

/**
 * Runs `decide(inputs[i])` round-robin until `budgetMs` has passed and at least `minOps` calls were made,
 * and returns the rate in calls per second. The clock is read between batches whose size grows while
 * a batch takes under half a millisecond, so slow and fast functions are both timed fairly.
 */
export function opsPerSecond<T>(
	inputs: readonly T[],
	decide: (input: T) => unknown,
	budgetMs: number,
	minOps: number,
): number {
	let ops = 0;
	let i = 0;
	let batch = 1;
	const t0 = performance.now();
	for (;;) {
		const b0 = performance.now();
		for (let k = 0; k < batch; k++) {
			if (decide(inputs[i]!)) sink++;
			i = i + 1 === inputs.length ? 0 : i + 1;
		}
		ops += batch;
		const now = performance.now();
		if (now - t0 >= budgetMs && ops >= minOps) return (ops * 1000) / (now - t0);
		if (now - b0 < 0.5) batch = Math.min(batch * 2, 8192);
	}
}
