/**
 * Writes a stream to its final path so that no partial file is ever visible there: the bytes go to a temporary
 * file in the same file system, are flushed to disk (fsync), then renamed over the target, and the directory is
 * flushed too. A failure at any point (a source error, the size cap, a full disk) removes the temporary file.
 * Chunks are counted (size cap, sha256) as they arrive ({@link consumeChunks}: a stream's chunks as it pushes them,
 * with no promise per chunk), while earlier ones are being written: large writes from two alternating windows
 * ({@link WriteCoalescer}), and the disk set to work during the download ({@link EarlyWriteback}), so a download
 * takes about the longer of network and disk time, not their sum.
 *
 * Temporary names carry the writing process's id; {@link cleanTempFiles} removes, at start-up, those of dead
 * processes and those of this process that no writer owns (after a restart in a container, the pid repeats).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MediaFetcherError } from '../errors.js';
import { consumeChunks } from './consume-chunks.js';
import { EarlyWriteback } from './early-writeback.js';
import { WriteCoalescer } from './write-coalescer.js';

/** What was written. */
export interface WrittenFile {
	readonly size: number;
	/** Lower-case hex SHA-256 of the content. */
	readonly sha256: string;
}

/** Options of {@link writeFileAtomically}. */
export interface AtomicWriteOptions {
	/** More bytes than this fail the write with `ERR_MEDIA_TOO_LARGE`, as soon as they arrive. */
	readonly maxBytes: number;
	/** Called with the running byte count after each chunk is taken in (counted, hashed, queued for writing). */
	readonly onProgress?: (bytes: number) => void;
}

const active = new Set<string>();

/** File-system failures are ours (`ERR_STORE_FAILED`); errors of the source pass through unchanged. */
function local(error: unknown): never {
	throw new MediaFetcherError('ERR_STORE_FAILED', 'Cannot write to the media store', { cause: error });
}
const STALE_MS = 24 * 60 * 60 * 1000;

/** Streams `source` into `target` via a temporary file in `tempDir`. */
export async function writeFileAtomically(
	source: AsyncIterable<Buffer> | Iterable<Buffer>,
	target: string,
	tempDir: string,
	options: AtomicWriteOptions,
): Promise<WrittenFile> {
	const temp = join(tempDir, `${process.pid}-${randomUUID()}.part`);
	active.add(temp);
	const hash = createHash('sha256');
	let size = 0;
	try {
		const file = await open(temp, 'wx', 0o640).catch(local);
		const writeback = new EarlyWriteback(file);
		const writer = new WriteCoalescer(async (bytes) => {
			for (let offset = 0; offset < bytes.length;) {
				const { bytesWritten } = await file.write(bytes, offset, bytes.length - offset).catch(local);
				offset += bytesWritten;
			}
			writeback.written(bytes.length);
		});
		const progress = options.onProgress;
		try {
			await consumeChunks(source, (chunk) => {
				size += chunk.length;
				if (size > options.maxBytes) {
					throw new MediaFetcherError(
						'ERR_MEDIA_TOO_LARGE',
						`The media is larger than ${options.maxBytes} bytes`,
					);
				}
				hash.update(chunk);
				const wait = writer.take(chunk);
				if (progress === undefined) return wait;
				const taken = size;
				if (wait === undefined) {
					progress(taken);
					return undefined;
				}
				return wait.then(() => progress(taken));
			});
			await writer.flush();
			await writeback.settle();
			await file.sync().catch(local);
		} finally {
			// No write or flush may still be running on the handle when it closes (a failure midway).
			await writer.drain();
			await writeback.settle();
			await file.close();
		}
		await mkdir(dirname(target), { recursive: true }).catch(local);
		await rename(temp, target).catch(local);
		await syncDirectory(dirname(target));
		return { size, sha256: hash.digest('hex') };
	} catch (error) {
		await rm(temp, { force: true }).catch(() => undefined);
		throw error;
	} finally {
		active.delete(temp);
	}
}

/** Flushes a directory entry change (the rename) to disk; a no-op where directories cannot be opened. */
async function syncDirectory(directory: string): Promise<void> {
	let handle;
	try {
		handle = await open(directory, 'r');
		await handle.sync();
	} catch {
		// Some platforms (Windows) cannot fsync a directory; the rename itself is still atomic.
	} finally {
		await handle?.close();
	}
}

function processAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Removes temporary files left behind by crashed writers; returns how many were removed. */
export async function cleanTempFiles(tempDir: string): Promise<number> {
	await mkdir(tempDir, { recursive: true });
	let removed = 0;
	for (const name of await readdir(tempDir)) {
		const path = join(tempDir, name);
		const pid = Number(/^(\d+)-/.exec(name)?.[1] ?? Number.NaN);
		const owned = active.has(path);
		let stale = !Number.isInteger(pid) || (pid === process.pid ? !owned : !processAlive(pid));
		if (!stale && !owned) {
			const info = await stat(path).catch(() => undefined);
			stale = info !== undefined && Date.now() - info.mtimeMs > STALE_MS;
		}
		if (stale) {
			await rm(path, { force: true, recursive: true });
			removed++;
		}
	}
	return removed;
}
