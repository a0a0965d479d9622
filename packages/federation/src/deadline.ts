import { abortedError } from './abort.js';
import { FederationTimeoutError } from './errors.js';
import type { FederationAbortedError } from './errors.js';

/**
 * The overall deadline of one federation operation joined with its caller's signal: one signal for every phase
 * (resolution, candidates, body), aborted when the time is up or the caller aborts, whichever comes first
 * (docs/architecture.md 3.6: no request without a deadline, server-name resolution included).
 */
export class Deadline {
	readonly #controller = new AbortController();
	readonly #timeoutMs: number | undefined;
	readonly #startedAt: number;
	readonly #parent: AbortSignal | undefined;
	readonly #onParentAbort = (): void => this.#controller.abort(this.#parent?.reason);
	#timer: NodeJS.Timeout | undefined;
	#expired = false;
	/** What the operation is doing now, for the error when the time runs out. */
	stage: 'resolution' | 'request' = 'resolution';

	/** Starts the clock now; `timeoutMs` undefined: only the caller's signal. */
	constructor(
		readonly destination: string,
		timeoutMs: number | undefined,
		parent: AbortSignal | undefined,
	) {
		this.#timeoutMs = timeoutMs;
		this.#startedAt = Date.now();
		this.#parent = parent;
		if (parent?.aborted === true) this.#controller.abort(parent.reason);
		else parent?.addEventListener('abort', this.#onParentAbort, { once: true });
		if (timeoutMs !== undefined && !this.#controller.signal.aborted) {
			this.#timer = setTimeout(() => {
				this.#expired = true;
				this.#controller.abort(this.#timeoutError());
			}, timeoutMs);
		}
	}

	/** Aborted when the deadline passes or the caller aborts. */
	get signal(): AbortSignal {
		return this.#controller.signal;
	}

	/** Milliseconds left (at least 1 while not expired), or undefined without a deadline. */
	remaining(): number | undefined {
		if (this.#timeoutMs === undefined) return undefined;
		return Math.max(1, this.#timeoutMs - (Date.now() - this.#startedAt));
	}

	/** The error for an aborted operation: {@link FederationTimeoutError} when the time ran out, else the abort. */
	error(): FederationAbortedError | FederationTimeoutError {
		return abortedError(this.destination, this.#controller.signal);
	}

	/** Whether the time ran out (rather than the caller aborting). */
	get expired(): boolean {
		return this.#expired;
	}

	/** Clears the timer and the listener on the caller's signal (call when the operation settles). */
	dispose(): void {
		if (this.#timer !== undefined) clearTimeout(this.#timer);
		this.#parent?.removeEventListener('abort', this.#onParentAbort);
	}

	#timeoutError(): FederationTimeoutError {
		return new FederationTimeoutError(this.destination, this.#timeoutMs ?? 0, this.stage);
	}
}
