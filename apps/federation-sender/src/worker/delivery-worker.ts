/**
 * The delivery loop. Per destination at most one transaction is in flight; destinations are served
 * concurrently by a bounded pool, one transaction per turn so that a long queue cannot starve the others.
 * A destination wakes on an in-process enqueue, on a commit by another process (the store's watch: PostgreSQL
 * `LISTEN/NOTIFY`, SQLite `data_version` read every few ms; a slower fallback poll rescans anyway), and when
 * its backoff expires. With `leases` (PostgreSQL, several instances), a destination is worked only while this
 * instance holds its lease (see `lease-keeper.ts`). Shutdown stops new work at once, lets requests in flight finish within a grace period, then
 * aborts them: their transactions stay stored and are re-sent with the same txnId on the next start.
 */
import { EventEmitter } from 'node:events';
import { isOutboundHttpError, type Router } from '@homeserver/outbound-http';
import { pino, type Logger } from 'pino';
import { systemClock, type Clock } from '../clock.js';
import { DEFAULT_BACKOFF_POLICY, retryAt, type BackoffPolicy, type Random } from '../backoff/policy.js';
import type { BackoffState } from '../outbox/types.js';
import { DEFAULT_LONG_RETRY_SCHEDULE } from '@homeserver/federation';
import type { HttpRetryPolicy } from '../backoff/http-retry.js';
import { FederationSenderError } from '../errors.js';
import { normaliseDestination } from '../outbox/destination.js';
import type { NewItem, OutboxStore, StoredItem, TransactionLimits } from '../outbox/types.js';
import { AbortFanout } from './abort-fanout.js';
import { LeaseKeeper, type LeaseSettings } from './lease-keeper.js';
import type { DeliverContext } from './deliver-transaction.js';
import { takeTurn, type TurnOutcome } from './take-turn.js';
import type { SendTransaction, WorkerEventMap } from './types.js';

/** Options of {@link DeliveryWorker}; everything but `store`, `origin` and `send` has a default. */
export interface DeliveryWorkerOptions {
	readonly store: OutboxStore;
	/** Our server name (`origin` of every transaction). */
	readonly origin: string;
	readonly send: SendTransaction;
	readonly clock?: Clock;
	readonly random?: Random;
	readonly logger?: Logger;
	/** Destinations served at the same time (32). */
	readonly concurrency?: number;
	/** How often to look for commits by other processes, e.g. the `enqueue` CLI (1000 ms). */
	readonly pollIntervalMs?: number;
	/** Wait before retrying a destination whose turn hit an unexpected (database) error (30 s). */
	readonly errorRetryMs?: number;
	/** How long in-flight requests may finish after `stop()` (10 s). */
	readonly shutdownGraceMs?: number;
	readonly limits?: TransactionLimits;
	readonly backoff?: BackoffPolicy;
	readonly httpRetry?: HttpRetryPolicy;
	/** Share the outbox with other instances through the store's lease table (PostgreSQL); none by default. */
	readonly leases?: LeaseSettings | null;
	/** Ephemeral EDUs dropped instead of sent once older than `maxAgeMs` (none by default). */
	readonly ephemeralEdus?: { readonly types: readonly string[]; readonly maxAgeMs: number } | null;
	/**
	 * Catch-up: a destination that answers 200 after failing for longer than this gets only the newest queued PDU of
	 * each room (`outbox/catch-up.ts`; `federation_sender.catch_up_after`, 1 h, in `run`). Never by default.
	 */
	readonly catchUpAfterMs?: number | null;
	/** Delivered and rejected rows are pruned once older than this (never by default). */
	readonly retentionMs?: number | null;
	/** How often to prune (1 h). */
	readonly pruneIntervalMs?: number;
	/**
	 * `federation_domain_whitelist` (the outbound stack's router): a destination it refuses does not wait out a
	 * stored backoff (it is refused at once, without I/O, by the transport). Default: every destination allowed.
	 */
	readonly federation?: Pick<Router, 'assertFederationAllowed'> | null;
}

interface DestinationState {
	retryAt: number;
	running: boolean;
	queued: boolean;
	/** Woken while running: look again after this turn. */
	dirty: boolean;
	timer: (() => void) | null;
	timerAt: number;
}

/** The spec's limits: 50 PDUs and 100 EDUs per transaction. */
export const SPEC_LIMITS: TransactionLimits = Object.freeze({ maxPdus: 50, maxEdus: 100 });

/** Delivers the outbox; see the module comment. Events: {@link WorkerEventMap}. */
export class DeliveryWorker extends EventEmitter<WorkerEventMap> {
	readonly #o: Required<Omit<DeliveryWorkerOptions, 'logger'>> & { logger: Logger };
	readonly #states = new Map<string, DestinationState>();
	readonly #ready: string[] = [];
	readonly #running = new Map<string, Promise<void>>();
	readonly #sleepAbort = new AbortController();
	readonly #sendAbort = new AbortController();
	readonly #sleeps = new AbortFanout(this.#sleepAbort.signal);
	readonly #sends = new AbortFanout(this.#sendAbort.signal);
	#started = false;
	#stopping: Promise<void> | null = null;
	#pollTimer: (() => void) | null = null;
	#heartbeatTimer: (() => void) | null = null;
	/** A heartbeat is running; `#beatAgain`: another instance changed leases meanwhile, so beat once more after it. */
	#beating = false;
	#beatAgain = false;
	#pruneTimer: (() => void) | null = null;
	#unwatch: (() => Promise<void>) | null = null;
	#lastToken = '';
	readonly #keeper: LeaseKeeper | null;

	constructor(options: DeliveryWorkerOptions) {
		super();
		this.#o = {
			clock: systemClock,
			random: Math.random,
			logger: pino({ level: 'silent' }),
			concurrency: 32,
			pollIntervalMs: 1000,
			errorRetryMs: 30_000,
			shutdownGraceMs: 10_000,
			limits: SPEC_LIMITS,
			backoff: DEFAULT_BACKOFF_POLICY,
			httpRetry: DEFAULT_LONG_RETRY_SCHEDULE,
			leases: null,
			ephemeralEdus: null,
			catchUpAfterMs: null,
			retentionMs: null,
			pruneIntervalMs: 3_600_000,
			federation: null,
			...options,
		};
		this.#keeper = this.#o.leases === null ? null : new LeaseKeeper(this.#o.leases, this.#o.clock);
	}

	/** This instance's name when it shares the outbox through leases, else null. */
	get instance(): string | null {
		return this.#keeper?.instance ?? null;
	}

	/** Loads every destination with pending work (respecting stored backoff) and starts delivering. */
	async start(): Promise<void> {
		if (this.#started) throw new FederationSenderError('ERR_WORKER_STATE', 'the worker was already started');
		this.#started = true;
		if (this.#keeper !== null) await this.#keeper.beat(() => false);
		this.#unwatch = await this.#o.store.watchChanges(
			(destination) => this.#onChange(destination),
			(instance) => this.#onLeasesChanged(instance),
		);
		await this.#rescan(true);
		this.#schedulePoll();
		this.#scheduleHeartbeat();
		this.#schedulePrune(0);
	}

	/** Another process committed work (for `destination` when known). */
	#onChange(destination: string | null): void {
		if (this.#stopping !== null) return;
		const done = destination === null ? this.#rescan(false) : this.#wake([destination]);
		done.catch((error: unknown) => {
			this.#o.logger.error({ err: error }, 'outbox wake-up failed');
			this.emit('fault', { destination, error });
		});
	}

	/** Wakes destinations, first taking their leases when the outbox is shared. */
	async #wake(destinations: readonly string[]): Promise<void> {
		const mine = this.#keeper === null ? destinations : await this.#keeper.acquire(destinations);
		for (const destination of mine) {
			if (!this.#states.has(destination)) {
				// First sight (e.g. taken over from a dead instance): honour the stored backoff.
				this.#state(destination).retryAt = this.#storedRetryAt(
					destination,
					await this.#o.store.getBackoff(destination),
				);
			}
			this.notify(destination);
		}
	}

	/** Enqueues items for a destination (validated and normalised), committed before this resolves, and wakes it. */
	async enqueue(destinationName: string, items: readonly NewItem[]): Promise<StoredItem[]> {
		const destination = normaliseDestination(destinationName);
		const stored = await this.#o.store.enqueue(destination, items, this.#o.clock.now());
		if (this.#keeper === null) this.notify(destination);
		else await this.#wake([destination]);
		return stored;
	}

	/** Wakes `destination` after something was enqueued for it in this process (no-op while backed off). */
	notify(destination: string): void {
		if (this.#stopping !== null || !this.#started) return;
		const state = this.#state(destination);
		if (state.running) {
			state.dirty = true;
			return;
		}
		if (state.queued) return;
		if (state.retryAt > this.#o.clock.now()) {
			this.#armTimer(destination, state);
			return;
		}
		state.queued = true;
		this.#ready.push(destination);
		this.#pump();
	}

	/** Destinations with a transaction in flight right now. */
	get inFlight(): string[] {
		return [...this.#running.keys()];
	}

	/** Stops taking work, waits up to the grace period for requests in flight, then aborts them. */
	stop(): Promise<void> {
		this.#stopping ??= this.#shutdown();
		return this.#stopping;
	}

	async #shutdown(): Promise<void> {
		this.#pollTimer?.();
		this.#heartbeatTimer?.();
		this.#pruneTimer?.();
		await this.#unwatch?.();
		for (const state of this.#states.values()) state.timer?.();
		this.#ready.length = 0;
		this.#sleepAbort.abort(new FederationSenderError('ERR_WORKER_STATE', 'shutting down'));
		const inFlight = Promise.allSettled([...this.#running.values()]);
		let cancelGrace: () => void = () => undefined;
		const grace = new Promise<void>((resolve) => {
			cancelGrace = this.#o.clock.setTimer(this.#o.shutdownGraceMs, resolve);
		});
		await Promise.race([inFlight, grace]);
		cancelGrace();
		this.#sendAbort.abort(new FederationSenderError('ERR_WORKER_STATE', 'shutdown grace period over'));
		await inFlight;
		// Nothing runs any more: hand every destination to the other instances now rather than at lease expiry.
		await this.#keeper?.leave().catch((error: unknown) => {
			this.#o.logger.warn({ err: error }, 'could not give the leases back; they expire by themselves');
		});
	}

	#state(destination: string): DestinationState {
		let state = this.#states.get(destination);
		if (state === undefined) {
			state = { retryAt: 0, running: false, queued: false, dirty: false, timer: null, timerAt: 0 };
			this.#states.set(destination, state);
		}
		return state;
	}

	#armTimer(destination: string, state: DestinationState): void {
		if (state.timer !== null && state.timerAt === state.retryAt) return;
		state.timer?.();
		state.timerAt = state.retryAt;
		state.timer = this.#o.clock.setTimer(state.retryAt - this.#o.clock.now(), () => {
			state.timer = null;
			this.notify(destination);
		});
	}

	#pump(): void {
		while (this.#stopping === null && this.#running.size < this.#o.concurrency && this.#ready.length > 0) {
			const destination = this.#ready.shift() as string;
			const state = this.#state(destination);
			state.queued = false;
			if (this.#keeper !== null && !(this.#keeper.holds(destination) && this.#keeper.owns(destination))) {
				// Not ours (any more): the holder or owner works it; a lease we still hold goes back to its owner now.
				if (state.timer === null) this.#states.delete(destination);
				this.#giveBack(destination);
				continue;
			}
			state.running = true;
			state.dirty = false;
			this.#running.set(destination, this.#turn(destination, state));
		}
		if (this.#running.size === 0 && this.#ready.length === 0) this.emit('idle');
	}

	async #turn(destination: string, state: DestinationState): Promise<void> {
		let outcome: TurnOutcome;
		try {
			outcome = await takeTurn(this.#context(), destination, {
				origin: this.#o.origin,
				limits: this.#o.limits,
				next: {
					...(this.#keeper === null ? {} : { leaseHolder: this.#keeper.instance }),
					...(this.#o.ephemeralEdus === null ? {} : { ephemeralEdus: this.#o.ephemeralEdus }),
				},
				complete: this.#o.catchUpAfterMs === null ? {} : { catchUpAfterMs: this.#o.catchUpAfterMs },
				backoff: this.#o.backoff,
				logger: this.#o.logger,
				stopping: () => this.#stopping !== null,
			});
		} catch (error) {
			this.#o.logger.error({ err: error, destination }, 'delivery turn failed; will retry');
			this.emit('fault', { destination, error });
			outcome = { kind: 'failed', retryAt: this.#o.clock.now() + this.#o.errorRetryMs };
		}
		state.running = false;
		this.#running.delete(destination);
		// A destination that now belongs to another instance (a heartbeat skipped it while this turn ran) goes back
		// to its owner now, whatever the turn's outcome, not at the next heartbeat.
		if (this.#keeper !== null && !this.#keeper.owns(destination)) {
			this.#giveBack(destination);
		}
		if (outcome.kind === 'failed') state.retryAt = outcome.retryAt;
		if (outcome.kind === 'empty' && !state.dirty && state.timer === null) this.#states.delete(destination);
		else if (outcome.kind !== 'stopped') this.notify(destination);
		this.#pump();
	}

	/** Gives `destination`'s lease back to the instance that owns it now (see `LeaseKeeper.giveBack`). */
	#giveBack(destination: string): void {
		this.#keeper?.giveBack([destination]).catch((error: unknown) => {
			this.#o.logger.error({ err: error, destination }, 'giving a lease back failed');
			this.emit('fault', { destination, error });
		});
	}

	/**
	 * When a stored backoff lets `destination` be tried: its end, except for a destination the whitelist refuses
	 * now, which is tried (and refused without I/O) at once rather than after a backoff from other failures.
	 */
	#storedRetryAt(destination: string, backoff: BackoffState): number {
		try {
			this.#o.federation?.assertFederationAllowed(destination);
		} catch (error) {
			if (isOutboundHttpError(error, 'ERR_FEDERATION_DENIED')) return 0;
			throw error;
		}
		return retryAt(backoff);
	}

	#context(): DeliverContext {
		return {
			store: this.#o.store,
			send: this.#o.send,
			clock: this.#o.clock,
			random: this.#o.random,
			policy: this.#o.httpRetry,
			maxRetryAfterMs: this.#o.backoff.maxIntervalMs,
			sleepSignal: this.#sleepAbort.signal,
			sendSignal: this.#sendAbort.signal,
			sleeps: this.#sleeps,
			sends: this.#sends,
			emit: (event, ...args) => this.emit(event, ...(args as never)),
		};
	}

	#schedulePoll(): void {
		if (this.#stopping !== null) return;
		this.#pollTimer = this.#o.clock.setTimer(this.#o.pollIntervalMs, () => {
			this.#pollTimer = null;
			this.#rescan(false)
				.catch((error: unknown) => {
					this.#o.logger.error({ err: error }, 'outbox poll failed');
					this.emit('fault', { destination: null, error });
				})
				.finally(() => this.#schedulePoll());
		});
	}

	#scheduleHeartbeat(): void {
		const keeper = this.#keeper;
		// One heartbeat timer at a time: a lease notification during start() may already have scheduled one.
		this.#heartbeatTimer?.();
		this.#heartbeatTimer = null;
		if (this.#stopping !== null || keeper === null) return;
		this.#heartbeatTimer = this.#o.clock.setTimer(keeper.heartbeatMs, () => {
			this.#heartbeatTimer = null;
			this.#heartbeat();
		});
	}

	/**
	 * Another instance joined, gave leases back or left (the store's lease notification): beat now rather than at
	 * the next period, so that destinations change hands in milliseconds (docs/architecture.md 5).
	 */
	#onLeasesChanged(instance: string): void {
		if (this.#stopping !== null || this.#keeper === null || instance === this.#keeper.instance) return;
		if (this.#beating) {
			this.#beatAgain = true;
			return;
		}
		this.#heartbeatTimer?.();
		this.#heartbeatTimer = null;
		this.#heartbeat();
	}

	#heartbeat(): void {
		const keeper = this.#keeper;
		if (this.#stopping !== null || keeper === null) return;
		this.#beating = true;
		this.#beatAgain = false;
		keeper
			.beat((destination) => this.#states.get(destination)?.running === true)
			// Instances may have come or gone: claim what is ours now (expired leases of a dead instance too).
			.then(() => this.#rescan(true))
			.catch((error: unknown) => {
				this.#o.logger.error({ err: error }, 'lease heartbeat failed');
				this.emit('fault', { destination: null, error });
			})
			.finally(() => {
				this.#beating = false;
				if (this.#beatAgain) this.#heartbeat();
				else this.#scheduleHeartbeat();
			});
	}

	#schedulePrune(delayMs: number): void {
		const retention = this.#o.retentionMs;
		if (this.#stopping !== null || retention === null) return;
		this.#pruneTimer = this.#o.clock.setTimer(delayMs, () => {
			this.#pruneTimer = null;
			this.#o.store
				.prune(this.#o.clock.now() - retention)
				.then((removed) => {
					if (removed > 0) this.#o.logger.info({ removed }, 'pruned finished outbox rows');
				})
				.catch((error: unknown) => {
					this.#o.logger.error({ err: error }, 'outbox pruning failed');
					this.emit('fault', { destination: null, error });
				})
				.finally(() => this.#schedulePrune(this.#o.pruneIntervalMs));
		});
	}

	/** Reads pending work when another process committed (or always, at start) and wakes it. */
	async #rescan(always: boolean): Promise<void> {
		const token = await this.#o.store.changeToken();
		if (!always && token === this.#lastToken) return;
		this.#lastToken = token;
		const work = await this.#o.store.pendingWork();
		for (const { destination, backoff } of work) {
			const state = this.#state(destination);
			if (!state.running) state.retryAt = this.#storedRetryAt(destination, backoff);
		}
		await this.#wake(work.map((entry) => entry.destination));
	}
}
