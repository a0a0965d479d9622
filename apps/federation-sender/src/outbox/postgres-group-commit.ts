/**
 * Group commit for the PostgreSQL outbox (docs/architecture.md 5): the write steps asked for while the previous
 * shared commit was running (enqueues, transaction building, attempts, completions and failures of many
 * destinations) run together in one database transaction, on one connection, and share one durable commit
 * (`synchronous_commit` is left at PostgreSQL's default, so COMMIT returns only after its WAL flush). Each step
 * runs in its own savepoint, so a failing step is undone alone and only its caller sees the error; every promise
 * resolves only after the shared commit, so nothing acknowledged can be lost.
 *
 * PostgreSQL shares a WAL flush between backends that commit at the same moment, but the outbox's few pooled
 * connections rarely do: measured, every write step cost its own flush (about 3.9 per delivered transaction).
 * Up to {@link MAX_IN_FLIGHT} batches run at once, each on its own pooled connection (a step is several round
 * trips, so one connection alone would bound the sender); the next ones gather meanwhile, so the busier the
 * sender, the more steps a flush carries, while a lone step on an idle sender starts at once.
 *
 * A destination is in at most one batch in flight: its later steps wait for that batch to commit, so one
 * destination's steps run and commit in the order they were asked for. Steps take per-destination advisory locks
 * (held until the shared commit), and a batch runs its steps ordered by destination (stably), so batches of
 * different processes lock destinations in the same order and cannot deadlock on them; a deadlock or
 * serialization failure that still happens runs the whole batch again (`inTransaction`).
 */
import type pg from 'pg';
import { inTransaction, isRetryable, type Query } from './postgres-connection.js';

interface Pending {
	readonly destination: string;
	readonly step: (q: Query) => Promise<unknown>;
	readonly resolve: (value: unknown) => void;
	readonly reject: (error: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** Most steps in one commit (bounds how long a batch holds its destinations' locks). */
const MAX_GROUP = 256;

/** Batches in flight at once; the pool keeps a connection besides them for reads and leases. */
export const MAX_IN_FLIGHT = 3;

/** Batches the write steps of a PostgreSQL outbox into shared durable commits. */
export class PostgresGroupCommit {
	readonly #pool: pg.Pool;
	readonly #mapError: (error: unknown) => unknown;
	#queue: Pending[] = [];
	/** Batches running, and whether a start is already scheduled for this event-loop turn. */
	#inFlight = 0;
	#startScheduled = false;
	/** Destinations with a step in a batch in flight. */
	readonly #busy = new Set<string>();
	/** Commits made and steps they carried, for benchmarks (`commits / steps` is the grouping achieved). */
	commits = 0;
	steps = 0;

	constructor(pool: pg.Pool, mapError: (error: unknown) => unknown) {
		this.#pool = pool;
		this.#mapError = mapError;
	}

	/** Queues `step` (which touches `destination`) for the next shared commit; resolves once committed. */
	run<T>(destination: string, step: (q: Query) => Promise<T>): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			this.#queue.push({ destination, step, resolve: resolve as (value: unknown) => void, reject });
			this.#schedule();
		});
	}

	/** Resolves once every step queued so far is committed or failed (before closing the pool). */
	async flush(): Promise<void> {
		while (this.#inFlight > 0 || this.#queue.length > 0) {
			await new Promise((resolve) => setImmediate(resolve));
		}
	}

	#schedule(): void {
		if (this.#startScheduled || this.#inFlight >= MAX_IN_FLIGHT || this.#queue.length === 0) return;
		this.#startScheduled = true;
		// The rest of this event-loop turn may add steps to the same commit.
		setImmediate(() => {
			this.#startScheduled = false;
			const group = this.#take();
			if (group.length === 0) return;
			this.#inFlight++;
			void this.#commit(group).finally(() => {
				this.#inFlight--;
				for (const { destination } of group) this.#busy.delete(destination);
				this.#schedule();
			});
			this.#schedule();
		});
	}

	/** Takes the queued steps of destinations not in a batch in flight (in queue order), up to MAX_GROUP. */
	#take(): Pending[] {
		const group: Pending[] = [];
		const rest: Pending[] = [];
		const taken = new Set<string>();
		for (const pending of this.#queue) {
			const free = taken.has(pending.destination) || !this.#busy.has(pending.destination);
			if (free && group.length < MAX_GROUP) {
				group.push(pending);
				taken.add(pending.destination);
			} else {
				rest.push(pending);
			}
		}
		this.#queue = rest;
		for (const destination of taken) this.#busy.add(destination);
		return group;
	}

	async #commit(group: readonly Pending[]): Promise<void> {
		const ordered = group
			.map((pending, index) => ({ pending, index }))
			.sort((a, b) =>
				a.pending.destination === b.pending.destination
					? a.index - b.index
					: a.pending.destination < b.pending.destination
						? -1
						: 1,
			);
		let outcomes: Outcome[];
		try {
			outcomes = await inTransaction(this.#pool, (q) => runSteps(q, ordered, this.#mapError));
		} catch (error) {
			const mapped = this.#mapError(error);
			for (const { reject } of group) reject(mapped);
			return;
		}
		this.commits++;
		this.steps += group.length;
		ordered.forEach(({ pending }, i) => {
			const outcome = outcomes[i]!;
			if (outcome.ok) pending.resolve(outcome.value);
			else pending.reject(outcome.error);
		});
	}
}

/** Runs each step in its own savepoint; a lost race aborts the whole batch so that it is run again. */
async function runSteps(
	q: Query,
	ordered: readonly { readonly pending: Pending }[],
	mapError: (error: unknown) => unknown,
): Promise<Outcome[]> {
	const outcomes: Outcome[] = [];
	for (const { pending } of ordered) {
		await q('SAVEPOINT step');
		try {
			const value = await pending.step(q);
			await q('RELEASE SAVEPOINT step');
			outcomes.push({ ok: true, value });
		} catch (error) {
			if (isRetryable(error)) throw error;
			await q('ROLLBACK TO SAVEPOINT step');
			await q('RELEASE SAVEPOINT step');
			outcomes.push({ ok: false, error: mapError(error) });
		}
	}
	return outcomes;
}
