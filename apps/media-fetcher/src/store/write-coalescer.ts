/**
 * Gathers the small chunks of a network body (16 KiB TLS records) into large file writes, and overlaps those writes
 * with the reading of the network: each write to the thread pool costs about the same whatever its size, so 16 KiB
 * writes cap a file at a fraction of what the disk takes with large ones; and a reader that waits for each write
 * leaves the network idle while the disk works, and the disk idle while the network delivers.
 *
 * Two window buffers, allocated once and reused: chunks are copied into the current window; when it is full, its
 * write starts and the other window takes the next chunks while it runs. `push` waits only when the other window
 * fills up before the write in flight is done (back-pressure: at most one write in flight, memory two windows
 * whatever the chunk sizes). A chunk at least as large as a window is written as it is, after what was gathered
 * before it. A failed write fails the next `push` or `flush`.
 */
import { MediaFetcherError } from '../errors.js';

/** Default window: large writes (2 MiB; two windows, 4 MiB in all) keep the thread-pool cost per byte low. */
export const DEFAULT_WRITE_WINDOW = 2 * 1024 * 1024;

/** Writes all of `bytes` (the coalescer awaits it before reusing the buffer). */
export type WriteSink = (bytes: Buffer) => Promise<void>;

/** See the module comment. Not re-entrant: await each `push` before the next, then `flush` once at the end. */
export class WriteCoalescer {
	readonly #sink: WriteSink;
	readonly #windows: [Buffer, Buffer];
	/** Index of the window being filled. */
	#current: 0 | 1 = 0;
	#filled = 0;
	/** The write in flight (of the other window), if any. */
	#inFlight: Promise<void> | undefined;

	constructor(sink: WriteSink, windowBytes: number = DEFAULT_WRITE_WINDOW) {
		if (!Number.isInteger(windowBytes) || windowBytes < 1) {
			throw new MediaFetcherError('ERR_MEDIA_INVALID_OPTION', `windowBytes must be >= 1, got ${windowBytes}`);
		}
		this.#sink = sink;
		this.#windows = [Buffer.allocUnsafe(windowBytes), Buffer.allocUnsafe(windowBytes)];
	}

	/** Adds `chunk`; resolves once it is gathered (waiting only while both windows are busy). */
	async push(chunk: Uint8Array): Promise<void> {
		const size = this.#windows[0].length;
		if (chunk.length >= size) {
			await this.#startWrite();
			await this.#settle();
			await this.#sink(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
			return;
		}
		let offset = 0;
		while (offset < chunk.length) {
			const window = this.#windows[this.#current];
			const copied = Math.min(chunk.length - offset, size - this.#filled);
			window.set(chunk.subarray(offset, offset + copied), this.#filled);
			this.#filled += copied;
			offset += copied;
			if (this.#filled === size) await this.#startWrite();
		}
	}

	/** Writes what was gathered so far (the last, partial window) and waits until every write is done. */
	async flush(): Promise<void> {
		await this.#startWrite();
		await this.#settle();
	}

	/** Waits for the write in flight, if any, ignoring its failure (before closing the file on an error path). */
	async drain(): Promise<void> {
		await this.#settle().catch(() => undefined);
	}

	/** Waits for the write in flight; rethrows its failure. */
	async #settle(): Promise<void> {
		const pending = this.#inFlight;
		this.#inFlight = undefined;
		await pending;
	}

	/** Starts writing the current window (after the write in flight) and switches to the other one. */
	async #startWrite(): Promise<void> {
		if (this.#filled === 0) return;
		await this.#settle();
		const bytes = this.#windows[this.#current].subarray(0, this.#filled);
		this.#current = this.#current === 0 ? 1 : 0;
		this.#filled = 0;
		const write = this.#sink(bytes);
		// Observed by the next #settle; until then a failure must not count as unhandled.
		write.catch(() => undefined);
		this.#inFlight = write;
	}
}
