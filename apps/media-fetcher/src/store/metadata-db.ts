/**
 * The media metadata table in SQLite (`@homeserver/sqlite`, WAL journal): one row per stored remote file.
 *
 * A row is written only after its file has been renamed into place, so a row always names a complete file;
 * a file without a row (a crash between the two steps) is simply fetched again and overwritten.
 */
import { openSqlite } from '@homeserver/sqlite';
import type { SqliteDatabase, SqliteStatement } from '@homeserver/sqlite';
import type { MediaRef } from '../media-id.js';

/** What is known about one stored file. */
export interface MediaRecord {
	readonly serverName: string;
	readonly mediaId: string;
	/** The normalised media type, e.g. `image/png` (`application/octet-stream` when the remote gave none). */
	readonly contentType: string;
	/** The file name the remote gave in `Content-Disposition`, sanitised; null when none. */
	readonly fileName: string | null;
	readonly size: number;
	/** Lower-case hex SHA-256 of the content. */
	readonly sha256: string;
	/** Milliseconds since the epoch when the file was stored. */
	readonly createdAt: number;
}

interface Row {
	origin: string;
	media_id: string;
	content_type: string;
	file_name: string | null;
	size: number;
	sha256: string;
	created_ts: number;
}

const SCHEMA_VERSION = 1;

/** The metadata table on one SQLite connection. */
export class MediaMetadataDb {
	readonly #db: SqliteDatabase;
	readonly #get: SqliteStatement<[string, string], Row>;
	readonly #put: SqliteStatement<Row>;
	readonly #delete: SqliteStatement<[string, string]>;

	/** Opens (creating if needed) the database file at `path`. */
	constructor(path: string) {
		this.#db = openSqlite(path);
		this.#db.pragma('journal_mode = WAL');
		this.#db.pragma('synchronous = NORMAL');
		this.#db.pragma('busy_timeout = 5000');
		const version = this.#db.pragma('user_version', { simple: true }) as number;
		if (version < SCHEMA_VERSION) {
			this.#db.exec(`
				CREATE TABLE IF NOT EXISTS remote_media (
					origin TEXT NOT NULL,
					media_id TEXT NOT NULL,
					content_type TEXT NOT NULL,
					file_name TEXT,
					size INTEGER NOT NULL,
					sha256 TEXT NOT NULL,
					created_ts INTEGER NOT NULL,
					PRIMARY KEY (origin, media_id)
				);
				PRAGMA user_version = ${SCHEMA_VERSION};
			`);
		}
		this.#get = this.#db.prepare('SELECT * FROM remote_media WHERE origin = ? AND media_id = ?');
		this.#put = this.#db.prepare(
			`INSERT OR REPLACE INTO remote_media (origin, media_id, content_type, file_name, size, sha256, created_ts)
			 VALUES (@origin, @media_id, @content_type, @file_name, @size, @sha256, @created_ts)`,
		);
		this.#delete = this.#db.prepare('DELETE FROM remote_media WHERE origin = ? AND media_id = ?');
	}

	/** The record of `ref`, or undefined. */
	get(ref: MediaRef): MediaRecord | undefined {
		const row = this.#get.get(ref.serverName, ref.mediaId);
		return row === undefined
			? undefined
			: {
					serverName: row.origin,
					mediaId: row.media_id,
					contentType: row.content_type,
					fileName: row.file_name,
					size: row.size,
					sha256: row.sha256,
					createdAt: row.created_ts,
				};
	}

	/** Inserts or replaces a record. */
	put(record: MediaRecord): void {
		this.#put.run({
			origin: record.serverName,
			media_id: record.mediaId,
			content_type: record.contentType,
			file_name: record.fileName,
			size: record.size,
			sha256: record.sha256,
			created_ts: record.createdAt,
		});
	}

	/** Forgets `ref` (its file went missing). */
	delete(ref: MediaRef): void {
		this.#delete.run(ref.serverName, ref.mediaId);
	}

	close(): void {
		this.#db.close();
	}
}
