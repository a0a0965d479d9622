/**
 * Feeds every chunk of a source to a handler, in order, waiting only when the handler asks for it (by returning a
 * promise). A `Readable` is read in flowing mode, chunk by chunk as it pushes them, and paused while the handler
 * waits: no promise, no microtask turn and no `read()` concatenating buffered chunks into a new buffer per chunk, as
 * `for await` would cost; any other iterable is iterated. The handler's failure destroys a `Readable` source (as
 * leaving a `for await` loop does), so an HTTP response is released at once.
 */
import { Readable, finished } from 'node:stream';

/** Takes in one chunk; returns a promise when the next chunk must wait for it. */
export type ChunkHandler = (chunk: Buffer) => Promise<void> | undefined;

/** Resolves once `source` ended and the handler took in every chunk; rejects with the first failure of either. */
export async function consumeChunks(
	source: AsyncIterable<Buffer> | Iterable<Buffer>,
	handle: ChunkHandler,
): Promise<void> {
	if (source instanceof Readable) return consumeReadable(source, handle);
	for await (const chunk of source) {
		const wait = handle(chunk);
		if (wait !== undefined) await wait;
	}
}

function consumeReadable(source: Readable, handle: ChunkHandler): Promise<void> {
	return new Promise((resolve, reject) => {
		let failed = false;
		/** The handler's wait in progress, if any (the source is paused meanwhile). */
		let waiting: Promise<void> | undefined;
		const fail = (error: unknown): void => {
			if (failed) return;
			failed = true;
			source.off('data', onData);
			stopWatching();
			source.destroy();
			reject(error instanceof Error ? error : new Error(String(error)));
		};
		const onData = (chunk: Buffer): void => {
			let wait: Promise<void> | undefined;
			try {
				wait = handle(chunk);
			} catch (error) {
				fail(error);
				return;
			}
			if (wait === undefined) return;
			source.pause();
			const current = wait.then(() => {
				if (waiting === current) waiting = undefined;
				if (!failed) source.resume();
			}, fail);
			waiting = current;
		};
		const stopWatching = finished(source, { writable: false }, (error) => {
			if (failed) return;
			if (error !== undefined && error !== null) {
				fail(error);
				return;
			}
			source.off('data', onData);
			// The last chunk's wait, if it is still going on, finishes the job.
			void (waiting ?? Promise.resolve()).then(() => {
				if (!failed) resolve();
			});
		});
		source.on('data', onData);
	});
}
