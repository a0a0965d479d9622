/**
 * Gathers the small chunks of a network body (16 KiB TLS records) into large file writes, and overlaps those writes
 * with the reading of the network: each write to the thread pool costs about the same whatever its size, so 16 KiB
 * writes cap a file at a fraction of what the disk takes with large ones; and a reader that waits for each write
 * leaves the network idle while the disk works, and the disk idle while the network delivers.
 *
 * Two window buffers, allocated once and reused: chunks are copied into the current window; when it is full, its
 * write starts and the other window takes the next chunks while it runs. `push` (and `take`, its promise-free form)
 * waits only when the other window fills up before the write in flight is done (back-pressure: at most one write in
 * flight, memory two windows whatever the chunk sizes). A chunk at least as large as a window is written as it is,
 * after what was gathered before it. A failed write fails every later `take`, `push` or `flush`.
 */
import { MediaFetcherError } from '../errors.js';

/** Default window: large writes (2 MiB; two windows, 4 MiB in all) keep the thread-pool cost per byte low. */
export const DEFAULT_WRITE_WINDOW = 2 * 1024 * 1024;

/** Writes all of `bytes` (the coalescer awaits it before reusing the buffer). */
export type WriteSink = (bytes: Buffer) => Promise<void>;

/**
 * See the module comment. Not re-entrant: await each `push` (or `take`'s promise) before the next, then `flush` once
 * at the end.
 */
export class WriteCoalescer {
	readonly #sink: WriteSink;
	readonly #windows: [Buffer, Buffer];
	/** Index of the window being filled. */
	#current: 0 | 1 = 0;
	#filled = 0;
	/** The write in flight (of the other window), until it is done. */
	#inFlight: Promise<void> | undefined;
	/** The first failed write; every later call fails with it. */
	#failure: Error | undefined;

	constructor(sink: WriteSink, windowBytes: number = DEFAULT_WRITE_WINDOW) {
		if (!Number.isInteger(windowBytes) || windowBytes < 1) {
			throw new MediaFetcherError('ERR_MEDIA_INVALID_OPTION', `windowBytes must be >= 1, got ${windowBytes}`);
		}
		this.#sink = sink;
		this.#windows = [Buffer.allocUnsafe(windowBytes), Buffer.allocUnsafe(windowBytes)];
	}

	/** Adds `chunk`; resolves once it is gathered (waiting only while both windows are busy). */
	async push(chunk: Uint8Array): Promise<void> {
		await this.take(chunk);
	}

	/**
	 * Adds `chunk` like {@link push}, without a promise when none is needed: returns undefined when the chunk was
	 * taken in at once (the common case: copied into the current window), or a promise to await before the next
	 * call when the other window's write had to finish first. For a caller that takes in thousands of network
	 * chunks per second, this saves a promise and a microtask turn per chunk.
	 */
	take(chunk: Uint8Array): Promise<void> | undefined {
		if (this.#failure !== undefined) return Promise.reject(this.#failure);
		const size = this.#windows[0].length;
		if (chunk.length >= size) return this.#takeWhole(chunk);
		const first = Math.min(chunk.length, size - this.#filled);
		this.#copy(chunk.subarray(0, first));
		if (this.#filled < size) return undefined;
		// The window is full: the rest of the chunk (shorter than a window) goes into the other one.
		const rest = chunk.subarray(first);
		if (this.#inFlight === undefined) {
			this.#startWrite();
			this.#copy(rest);
			return undefined;
		}
		return this.#settle().then(() => {
			this.#startWrite();
			this.#copy(rest);
		});
	}

	/** Writes what was gathered so far (the last, partial window) and waits until every write is done. */
	async flush(): Promise<void> {
		await this.#settle();
		this.#startWrite();
		await this.#settle();
	}

	/** Waits for the write in flight, if any, ignoring its failure (before closing the file on an error path). */
	async drain(): Promise<void> {
		await this.#settle().catch(() => undefined);
	}

	/** A chunk at least as large as a window: written as it is, after what was gathered before it. */
	async #takeWhole(chunk: Uint8Array): Promise<void> {
		await this.#settle();
		this.#startWrite();
		await this.#settle();
		await this.#sink(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
	}

	#copy(bytes: Uint8Array): void {
		this.#windows[this.#current].set(bytes, this.#filled);
		this.#filled += bytes.length;
	}

	/** Waits for the write in flight, if any; rethrows a failure of any write. */
	async #settle(): Promise<void> {
		await this.#inFlight;
		if (this.#failure !== undefined) throw this.#failure;
	}

	/** Starts writing the current window (no write may be in flight) and switches to the other one. */
	#startWrite(): void {
		if (this.#filled === 0) return;
		const bytes = this.#windows[this.#current].subarray(0, this.#filled);
		this.#current = this.#current === 0 ? 1 : 0;
		this.#filled = 0;
		// Settled here, so a caller can tell without awaiting whether the other window is free; a failure is kept
		// for the next take, push or flush (and never counts as unhandled).
		const write: Promise<void> = this.#sink(bytes).then(
			() => {
				if (this.#inFlight === write) this.#inFlight = undefined;
			},
			(error: unknown) => {
				this.#failure ??= error instanceof Error ? error : new Error(String(error));
				if (this.#inFlight === write) this.#inFlight = undefined;
			},
		);
		this.#inFlight = write;
	}
}
