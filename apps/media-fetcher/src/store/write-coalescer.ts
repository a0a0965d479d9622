/**
 * Gathers the small chunks of a network body (16 KiB TLS records) into large file writes: each write to the
 * thread pool costs about the same whatever its size, so 16 KiB writes cap a file at a fraction of what the disk
 * takes with 1 MiB ones. Chunks are copied into one window buffer allocated once and reused; the window is written
 * when full, so memory stays at one window whatever the chunk sizes (holding the chunks themselves would keep a
 * Buffer object per chunk alive, unbounded for tiny chunks). A chunk at least as large as the window is written
 * as it is, after what was gathered before it. The caller awaits each `push`, so the source is not read while a
 * window is being written (back-pressure: at most one window in flight).
 */
import { MediaFetcherError } from '../errors.js';

/** Default window: ~1 MiB writes are where file-write throughput levels off. */
export const DEFAULT_WRITE_WINDOW = 1024 * 1024;

/** Writes all of `bytes` (the coalescer awaits it before reusing the buffer). */
export type WriteSink = (bytes: Buffer) => Promise<void>;

/** See the module comment. Not re-entrant: await each `push` before the next, then `flush` once at the end. */
export class WriteCoalescer {
	readonly #sink: WriteSink;
	readonly #window: Buffer;
	#filled = 0;

	constructor(sink: WriteSink, windowBytes: number = DEFAULT_WRITE_WINDOW) {
		if (!Number.isInteger(windowBytes) || windowBytes < 1) {
			throw new MediaFetcherError('ERR_MEDIA_INVALID_OPTION', `windowBytes must be >= 1, got ${windowBytes}`);
		}
		this.#sink = sink;
		this.#window = Buffer.allocUnsafe(windowBytes);
	}

	/** Adds `chunk`; resolves once any window it filled has been written. */
	async push(chunk: Uint8Array): Promise<void> {
		if (chunk.length >= this.#window.length) {
			await this.flush();
			await this.#sink(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
			return;
		}
		let offset = 0;
		while (offset < chunk.length) {
			const copied = Math.min(chunk.length - offset, this.#window.length - this.#filled);
			this.#window.set(chunk.subarray(offset, offset + copied), this.#filled);
			this.#filled += copied;
			offset += copied;
			if (this.#filled === this.#window.length) await this.flush();
		}
	}

	/** Writes what was gathered so far (the last, partial window). */
	async flush(): Promise<void> {
		if (this.#filled === 0) return;
		const bytes = this.#window.subarray(0, this.#filled);
		this.#filled = 0;
		await this.#sink(bytes);
	}
}
