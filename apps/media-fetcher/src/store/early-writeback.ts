/**
 * Starts the disk writing a file's dirty pages while the download goes on, so the one `fsync` before the rename
 * has only the last stretch left to flush: without it the kernel holds a large file in the page cache and the
 * final `fsync` writes all of it after the last byte arrived (network time + disk time, one after the other).
 * Every `everyBytes` written, a `datasync` is started in the background when none is running; nothing waits for
 * it but the end of the file ({@link EarlyWriteback.settle}). Durability still rests on the final `fsync` alone.
 */
import type { FileHandle } from 'node:fs/promises';

/** Default stretch between background flushes (large enough that each costs little, small enough to overlap). */
export const DEFAULT_WRITEBACK_BYTES = 64 * 1024 * 1024;

/** See the module comment. */
export class EarlyWriteback {
	readonly #file: Pick<FileHandle, 'datasync'>;
	readonly #everyBytes: number;
	#sinceLast = 0;
	#running: Promise<void> | undefined;

	constructor(file: Pick<FileHandle, 'datasync'>, everyBytes: number = DEFAULT_WRITEBACK_BYTES) {
		this.#file = file;
		this.#everyBytes = everyBytes;
	}

	/** Counts `bytes` just written; starts a background flush once a stretch is complete and none is running. */
	written(bytes: number): void {
		this.#sinceLast += bytes;
		if (this.#sinceLast < this.#everyBytes || this.#running !== undefined) return;
		this.#sinceLast = 0;
		// A failure here is not the file's verdict: the final fsync reports whatever is wrong with the disk.
		this.#running = this.#file.datasync().then(
			() => {
				this.#running = undefined;
			},
			() => {
				this.#running = undefined;
			},
		);
	}

	/** Waits for the background flush, if one is running (before the final fsync, or before closing on failure). */
	async settle(): Promise<void> {
		await this.#running;
	}
}
