/**
 * Shares one abort among many concurrent operations without adding a listener per operation to the shared
 * signal: each operation gets its own child signal, and a single listener on the shared signal aborts every
 * child still registered. A child is dropped as soon as its operation settles, so nothing accumulates on the
 * long-lived shared signal (which otherwise warns `MaxListenersExceededWarning` past ten sends in flight, and
 * keeps every finished request's listener reachable until shutdown).
 */

/** Child signals of one shared signal; see the module comment. */
export class AbortFanout {
	readonly #parent: AbortSignal;
	readonly #children = new Set<AbortController>();

	constructor(parent: AbortSignal) {
		this.#parent = parent;
		parent.addEventListener(
			'abort',
			() => {
				for (const child of this.#children) child.abort(parent.reason);
				this.#children.clear();
			},
			{ once: true },
		);
	}

	/** Operations currently holding a child signal (for tests and diagnostics). */
	get active(): number {
		return this.#children.size;
	}

	/**
	 * Runs `operation` with a signal that aborts (with the shared signal's reason) when the shared signal does;
	 * the child is released when the operation settles, whatever the outcome.
	 */
	async run<T>(operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
		const child = new AbortController();
		if (this.#parent.aborted) child.abort(this.#parent.reason);
		else this.#children.add(child);
		try {
			return await operation(child.signal);
		} finally {
			this.#children.delete(child);
		}
	}
}
