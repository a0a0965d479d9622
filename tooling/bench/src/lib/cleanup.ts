/**
 * A last-in-first-out list of clean-up steps (close servers, stop Squid, kill children), so that every
 * scenario releases what it started even when it fails half-way.
 */
export class Cleanup {
	readonly #steps: (() => unknown)[] = [];

	/** Registers a step; steps run in reverse order of registration. Returns the value for chaining. */
	defer<T>(value: T, step: (value: T) => unknown): T {
		this.#steps.push(() => step(value));
		return value;
	}

	/** Runs every step, newest first; a failing step does not stop the others. */
	async run(): Promise<void> {
		while (this.#steps.length > 0) {
			const step = this.#steps.pop()!;
			try {
				await step();
			} catch (error) {
				console.error(
					`bench: clean-up step failed: ${error instanceof Error ? error.message : String(error)}`,
				);
			}
		}
	}
}

/** Runs `body` with a fresh {@link Cleanup} and always runs the clean-up afterwards. */
export async function withCleanup<T>(body: (cleanup: Cleanup) => Promise<T>): Promise<T> {
	const cleanup = new Cleanup();
	try {
		return await body(cleanup);
	} finally {
		await cleanup.run();
	}
}
