/**
 * Group commit for the SQLite outbox (docs/architecture.md 5): write steps asked for in the same turn of the
 * event loop (enqueues, transaction building, attempts and completions of many destinations) run in one
 * `BEGIN IMMEDIATE ... COMMIT`, so they share one fsync (`synchronous=FULL`). Each step runs in its own
 * savepoint (the steps' own nested transactions), so a failing step is undone alone and only its caller sees
 * the error; every promise resolves only after the shared commit, so nothing acknowledged can be lost.
 */
import type { SqliteDatabase } from '@homeserver/sqlite';

interface Pending {
	readonly step: () => unknown;
	readonly resolve: (value: unknown) => void;
	readonly reject: (error: unknown) => void;
}

/** Most steps in one commit (bounds the time the write lock is held). */
const MAX_GROUP = 512;

/** Batches write steps into shared commits. */
export class GroupCommit {
	readonly #db: SqliteDatabase;
	readonly #mapError: (error: unknown) => unknown;
	#queue: Pending[] = [];
	#scheduled = false;
	/** Commits made and steps they carried, for benchmarks (`commits / steps` is the grouping achieved). */
	commits = 0;
	steps = 0;

	constructor(db: SqliteDatabase, mapError: (error: unknown) => unknown) {
		this.#db = db;
		this.#mapError = mapError;
	}

	/** Queues `step` for the next shared commit; resolves with its result once committed. */
	run<T>(step: () => T): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			this.#queue.push({ step, resolve: resolve as (value: unknown) => void, reject });
			if (!this.#scheduled) {
				this.#scheduled = true;
				setImmediate(() => this.flush());
			}
		});
	}

	/** Runs every queued step now (also called before closing). */
	flush(): void {
		this.#scheduled = false;
		while (this.#queue.length > 0) {
			const group = this.#queue.splice(0, MAX_GROUP);
			const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
			try {
				this.#db
					.transaction(() => {
						for (const { step } of group) {
							try {
								outcomes.push({ ok: true, value: step() });
							} catch (error) {
								outcomes.push({ ok: false, error: this.#mapError(error) });
							}
						}
					})
					.immediate();
			} catch (error) {
				const mapped = this.#mapError(error);
				for (const { reject } of group) reject(mapped);
				continue;
			}
			this.commits++;
			this.steps += group.length;
			group.forEach(({ resolve, reject }, i) => {
				const outcome = outcomes[i]!;
				if (outcome.ok) resolve(outcome.value);
				else reject(outcome.error);
			});
		}
	}
}
