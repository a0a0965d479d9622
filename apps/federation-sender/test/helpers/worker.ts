/** Builds a worker on an outbox with a manual clock and a fake remote, and waits for its events. */
import type { ExecutionContext } from 'ava';
import type { OutboxStore } from '../../src/outbox/types.js';
import { openSqliteOutbox } from '../../src/outbox/sqlite-outbox.js';
import { DeliveryWorker, type DeliveryWorkerOptions } from '../../src/worker/delivery-worker.js';
import type { WorkerEventMap } from '../../src/worker/types.js';
import { FakeRemote } from './fake-remote.js';
import { ManualClock } from './manual-clock.js';

export interface Harness {
	readonly store: OutboxStore;
	readonly clock: ManualClock;
	readonly remote: FakeRemote;
	readonly worker: DeliveryWorker;
}

/** random() = 1/3 gives a jitter factor of exactly 1. */
export const NO_JITTER = (): number => 1 / 3;

export function harness(
	t: ExecutionContext,
	options: Partial<DeliveryWorkerOptions> & { path?: string; clock?: ManualClock; remote?: FakeRemote } = {},
): Harness {
	const store = options.store ?? openSqliteOutbox(options.path ?? ':memory:');
	const clock = options.clock ?? new ManualClock();
	const remote = options.remote ?? new FakeRemote();
	const worker = new DeliveryWorker({
		origin: 'origin.test',
		random: NO_JITTER,
		httpRetry: { maxRetries: 2, base: 4, unitMs: 1000, maxDelayMs: 60_000, jitter: [0.8, 1.4] },
		...options,
		store,
		clock,
		send: options.send ?? remote.send,
	});
	worker.on('fault', ({ error }) => t.log('fault', error));
	t.teardown(async () => {
		await worker.stop().catch(() => undefined);
		await store.close();
	});
	return { store, clock, remote, worker };
}

/** Resolves with the first `event` whose payload satisfies `predicate`. */
export function next<K extends keyof WorkerEventMap>(
	worker: DeliveryWorker,
	event: K,
	predicate: (...args: WorkerEventMap[K]) => boolean = () => true,
): Promise<WorkerEventMap[K]> {
	return new Promise((resolve) => {
		const listener = (...args: WorkerEventMap[K]): void => {
			if (!predicate(...args)) return;
			worker.off(event, listener as never);
			resolve(args);
		};
		worker.on(event, listener as never);
	});
}
