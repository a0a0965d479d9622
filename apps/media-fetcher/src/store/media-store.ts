/**
 * The local media store under `media_store_path`: complete files only (see {@link writeFileAtomically}), their
 * metadata in SQLite, and a start-up sweep of temporary files left by a crash.
 */
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { MediaFetcherError } from '../errors.js';
import type { MediaRef } from '../media-id.js';
import { cleanTempFiles, writeFileAtomically } from './atomic-file.js';
import { storeLayout, type StoreLayout } from './layout.js';
import { MediaMetadataDb, type MediaRecord } from './metadata-db.js';

/** A complete stored file. */
export interface StoredMedia extends MediaRecord {
	/** Absolute path of the file. */
	readonly path: string;
}

/** What to store: the bytes and what the remote said about them. */
export interface IncomingMedia {
	/** Normalised Content-Type. */
	readonly contentType: string;
	/** Sanitised file name, or null. */
	readonly fileName: string | null;
	readonly body: AsyncIterable<Buffer> | Iterable<Buffer>;
}

/** Options of {@link MediaStore.open}. */
export interface MediaStoreOptions {
	/** `media_store_path`. */
	readonly root: string;
	/** The SQLite database file (`media_fetcher.database`). */
	readonly databasePath: string;
}

/** Options of {@link MediaStore.save}. */
export interface SaveOptions {
	/** `max_upload_size`: more bytes fail with `ERR_MEDIA_TOO_LARGE` while streaming. */
	readonly maxBytes: number;
	readonly onProgress?: (bytes: number) => void;
}

function storeError(message: string, cause: unknown): MediaFetcherError {
	return new MediaFetcherError('ERR_STORE_FAILED', message, { cause });
}

/** Files and metadata of remote media kept locally. */
export class MediaStore {
	readonly #layout: StoreLayout;
	readonly #db: MediaMetadataDb;
	/** How many leftover temporary files the start-up sweep removed. */
	readonly cleanedTempFiles: number;

	private constructor(layout: StoreLayout, db: MediaMetadataDb, cleaned: number) {
		this.#layout = layout;
		this.#db = db;
		this.cleanedTempFiles = cleaned;
	}

	/** Creates the directories, sweeps leftover temporary files and opens the database. */
	static async open(options: MediaStoreOptions): Promise<MediaStore> {
		const layout = storeLayout(options.root);
		try {
			await mkdir(layout.root, { recursive: true });
			const cleaned = await cleanTempFiles(layout.tempDir);
			return new MediaStore(layout, new MediaMetadataDb(options.databasePath), cleaned);
		} catch (error) {
			throw storeError(`Cannot open the media store at ${options.root}`, error);
		}
	}

	/** The stored file for `ref`, or undefined when there is none (a record whose file is gone is forgotten). */
	async lookup(ref: MediaRef): Promise<StoredMedia | undefined> {
		const record = this.#db.get(ref);
		if (record === undefined) {
			return undefined;
		}
		const path = this.#layout.fileFor(ref);
		const info = await stat(path).catch(() => undefined);
		if (info?.isFile() !== true || info.size !== record.size) {
			this.#db.delete(ref);
			return undefined;
		}
		return { ...record, path };
	}

	/** Streams `media` into the store; resolves once file and record are in place. */
	async save(ref: MediaRef, media: IncomingMedia, options: SaveOptions): Promise<StoredMedia> {
		const path = this.#layout.fileFor(ref);
		const written = await writeFileAtomically(media.body, path, this.#layout.tempDir, options);
		const record: MediaRecord = {
			serverName: ref.serverName,
			mediaId: ref.mediaId,
			contentType: media.contentType,
			fileName: media.fileName,
			size: written.size,
			sha256: written.sha256,
			createdAt: Date.now(),
		};
		try {
			this.#db.put(record);
		} catch (error) {
			throw storeError('Cannot record the stored media', error);
		}
		return { ...record, path };
	}

	/** A stream of a stored file's bytes. */
	createReadStream(media: StoredMedia): Readable {
		return createReadStream(media.path);
	}

	close(): void {
		this.#db.close();
	}
}
