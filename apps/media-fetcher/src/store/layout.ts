/**
 * Where files live under `media_store_path`. A file's path is derived from a SHA-256 of its server name and
 * media ID, so nothing a remote or a client chooses ever becomes a path component: no `..`, no separators, no
 * case-folding collisions on case-insensitive file systems, no over-long names.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { MediaRef } from '../media-id.js';

/** The directories of one media store. */
export interface StoreLayout {
	/** The store's root (`media_store_path`). */
	readonly root: string;
	/** Temporary files being written; on the same file system as the final files, so rename is atomic. */
	readonly tempDir: string;
	/** The final path of a remote file. */
	fileFor(ref: MediaRef): string;
}

/** The layout under `root`: `remote/ab/cd/<sha256>` and `tmp/`. */
export function storeLayout(root: string): StoreLayout {
	return {
		root,
		tempDir: join(root, 'tmp'),
		fileFor(ref: MediaRef): string {
			const digest = createHash('sha256').update(`${ref.serverName}\0${ref.mediaId}`).digest('hex');
			return join(root, 'remote', digest.slice(0, 2), digest.slice(2, 4), digest);
		},
	};
}
