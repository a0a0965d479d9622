import { TestkitError } from '../errors.js';

/** A file the remote homeserver holds, served inline in the multipart answer (and by the legacy endpoint). */
export interface RemoteMediaFile {
	/** The exact content. Give this or {@link size}. */
	readonly bytes?: Uint8Array | string;
	/** Generate this many bytes of the test pattern on the fly (see `generatedBytes`): for very large files. */
	readonly size?: number;
	/** Default `application/octet-stream`. */
	readonly contentType?: string;
	/** Put into `Content-Disposition` as Synapse does. */
	readonly fileName?: string;
	/** Overrides the computed `Content-Disposition` of the file part. */
	readonly contentDisposition?: string;
	/** Send `Content-Length` (default true); false sends the body chunked. */
	readonly announceLength?: boolean;
	/** Send only this many bytes of the file, then stall without ending (a stalled body). */
	readonly stallAfterBytes?: number;
	/** Fixed multipart boundary (default: a fresh uuid4 in hex per answer, as Synapse). */
	readonly boundary?: string;
	/** Quote the boundary in the `Content-Type` header. */
	readonly quoteBoundary?: boolean;
	/** End the multipart body after the file bytes, without the closing delimiter. */
	readonly omitClosingDelimiter?: boolean;
}

/** A canned answer, sent exactly as given (for malformed or unusual remote answers). */
export interface RawMediaAnswer {
	/** Default 200. */
	readonly status?: number;
	readonly headers?: Readonly<Record<string, string>>;
	readonly body: Uint8Array | string;
	/** Which download endpoint gives this answer; default `federation`. */
	readonly endpoint?: 'federation' | 'legacy';
}

/** What the server holds under one media id. */
export type MediaEntry =
	| { readonly kind: 'file'; readonly file: RemoteMediaFile; readonly length: number }
	| { readonly kind: 'redirect'; readonly location: string }
	| { readonly kind: 'raw'; readonly answer: RawMediaAnswer };

const MEDIA_ID = /^[A-Za-z0-9_-]{1,255}$/;

function checkId(mediaId: string): void {
	if (!MEDIA_ID.test(mediaId)) {
		throw new TestkitError('ERR_TESTKIT_INVALID_OPTION', `invalid media id ${JSON.stringify(mediaId)}`);
	}
}

/**
 * The media of a remote homeserver: files (given or generated), `Location` redirects and raw answers, keyed by
 * media id, plus the switch that makes the server a legacy-only one. Counts the answers it serves.
 */
export class RemoteMedia {
	readonly #entries = new Map<string, MediaEntry>();
	readonly #downloads = new Map<string, number>();
	#legacyOnly = false;

	/** Adds (or replaces) a file. */
	add(mediaId: string, file: RemoteMediaFile): void {
		checkId(mediaId);
		const given = file.bytes;
		if ((given === undefined) === (file.size === undefined)) {
			throw new TestkitError('ERR_TESTKIT_INVALID_OPTION', 'give a media file either bytes or size');
		}
		const length = given === undefined ? (file.size ?? 0) : Buffer.byteLength(given);
		if (!Number.isSafeInteger(length) || length < 0) {
			throw new TestkitError('ERR_TESTKIT_INVALID_OPTION', `invalid media size ${length}`);
		}
		this.#entries.set(mediaId, { kind: 'file', file, length });
	}

	/** Makes the federation endpoint answer with a `Location` part pointing at `location` (unauthenticated URL). */
	addRedirect(mediaId: string, location: string): void {
		checkId(mediaId);
		if (/[\r\n]/.test(location)) {
			throw new TestkitError('ERR_TESTKIT_INVALID_OPTION', 'a Location must not contain line breaks');
		}
		this.#entries.set(mediaId, { kind: 'redirect', location });
	}

	/** Makes one download endpoint answer exactly `answer` for this media id. */
	addRaw(mediaId: string, answer: RawMediaAnswer): void {
		checkId(mediaId);
		this.#entries.set(mediaId, { kind: 'raw', answer });
	}

	/** Removes a media id. */
	remove(mediaId: string): void {
		this.#entries.delete(mediaId);
	}

	/**
	 * When on, `/_matrix/federation/v1/media/download/...` answers 404 `M_UNRECOGNIZED` (an older server) and only
	 * the legacy `/_matrix/media/v3/download/...` endpoint serves media.
	 */
	legacyOnly(on = true): void {
		this.#legacyOnly = on;
	}

	/** Whether the server acts as a legacy-only one. */
	get isLegacyOnly(): boolean {
		return this.#legacyOnly;
	}

	/** The entry for a media id, if any. */
	get(mediaId: string): MediaEntry | undefined {
		return this.#entries.get(mediaId);
	}

	/** How many answers (any status, either endpoint) were started for this media id. */
	downloads(mediaId: string): number {
		return this.#downloads.get(mediaId) ?? 0;
	}

	/** Counts one answer for a media id (called by the server). */
	count(mediaId: string): void {
		this.#downloads.set(mediaId, this.downloads(mediaId) + 1);
	}
}
