/**
 * The delivery loop. Per destination at most one transaction is in flight; destinations are served
 * concurrently by a bounded pool, one transaction per turn so that a long queue cannot starve the others.
 * A destination wakes on an in-process enqueue, on a commit by another process (polled, cheap), and when its
 * backoff expires. Shutdown stops new work at once, lets requests in flight finish within a grace period, then
 * aborts them: their transactions stay stored and are re-sent with the same txnId on the next start.
 */
import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import { systemClock, type Clock } from '../clock.js';
import { DEFAULT_BACKOFF_POLICY, retryAt, type BackoffPolicy, type Random } from '../backoff/policy.js';
import { DEFAULT_HTTP_RETRY_POLICY, type HttpRetryPolicy } from '../backoff/http-retry.js';
import { FederationSenderError } from '../errors.js';
import { normaliseDestination } from '../outbox/destination.js';
import type { NewItem, OutboxStore, StoredItem, TransactionLimits } from '../outbox/types.js';
import { AbortFanout } from './abort-fanout.js';
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
	#lastToken = '';

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
			httpRetry: DEFAULT_HTTP_RETRY_POLICY,
			...options,
		};
	}

	/** Loads every destination with pending work (respecting stored backoff) and starts delivering. */
	async start(): Promise<void> {
		if (this.#started) throw new FederationSenderError('ERR_WORKER_STATE', 'the worker was already started');
		this.#started = true;
		await this.#rescan(true);
		this.#schedulePoll();
	}

	/** Enqueues items for a destination (validated and normalised), committed before this resolves, and wakes it. */
	async enqueue(destinationName: string, items: readonly NewItem[]): Promise<StoredItem[]> {
		const destination = normaliseDestination(destinationName);
		const stored = await this.#o.store.enqueue(destination, items, this.#o.clock.now());
		this.notify(destination);
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
		if (outcome.kind === 'failed') state.retryAt = outcome.retryAt;
		if (outcome.kind === 'empty' && !state.dirty && state.timer === null) this.#states.delete(destination);
		else if (outcome.kind !== 'stopped') this.notify(destination);
		this.#pump();
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

	/** Reads pending work when another process committed (or always, at start) and wakes it. */
	async #rescan(always: boolean): Promise<void> {
		const token = await this.#o.store.changeToken();
		if (!always && token === this.#lastToken) return;
		this.#lastToken = token;
		for (const { destination, backoff } of await this.#o.store.pendingWork()) {
			const state = this.#state(destination);
			if (!state.running) state.retryAt = retryAt(backoff);
			this.notify(destination);
		}
	}
}
