/**
 * Getting a piece of remote media: from the local store when it is there, otherwise downloaded once (however
 * many callers ask at the same time), stored, then read from the store by every caller.
 */
import type { Readable } from 'node:stream';
import type { Router } from '@homeserver/outbound-http';
import type { Logger } from 'pino';
import { MediaFetcherError } from './errors.js';
import { fileNameFromDisposition, normalizeContentType } from './media-headers.js';
import { formatMxc, type MediaRef } from './media-id.js';
import type { MediaMetrics } from './metrics.js';
import { Limiter } from './limiter.js';
import { SingleFlight } from './single-flight.js';
import type { MediaStore, StoredMedia } from './store/media-store.js';

/** A remote's answer, with the media body still unread. */
export interface RemoteMedia {
	/** The Content-Type the remote gave, raw; null when none. */
	readonly contentType: string | null;
	/** The Content-Disposition the remote gave, raw; null when none. */
	readonly contentDisposition: string | null;
	/** The media length when the remote announced it, else null. */
	readonly contentLength: number | null;
	readonly body: Readable;
}

/** Options of {@link RemoteMediaSource.fetch}. */
export interface RemoteFetchOptions {
	/** `max_upload_size`: a larger announced length is refused before the body is read. */
	readonly maxBytes: number;
	/** How long the remote may wait for media not yet uploaded (`timeout_ms`). */
	readonly timeoutMs?: number;
	/** Aborts the download (the service's overall deadline). */
	readonly signal?: AbortSignal;
}

/** Where media comes from on a miss: the federation download (see `createFederationMediaSource`), or a fake. */
export interface RemoteMediaSource {
	fetch(ref: MediaRef, options: RemoteFetchOptions): Promise<RemoteMedia>;
}

/** Progress of a download: bytes so far and the announced total (null when unknown). */
export type ProgressListener = (received: number, total: number | null) => void;

/** Options of {@link MediaService.get}. */
export interface GetOptions {
	readonly onProgress?: ProgressListener;
	readonly timeoutMs?: number;
}

/** The result of {@link MediaService.get}. */
export interface GotMedia {
	readonly media: StoredMedia;
	/** `hit`: it was stored; `miss`: this call downloaded it; `shared`: joined another caller's download. */
	readonly result: 'hit' | 'miss' | 'shared';
}

/** Construction options of {@link MediaService}. */
export interface MediaServiceOptions {
	readonly store: MediaStore;
	readonly source: RemoteMediaSource;
	/** `max_upload_size` in bytes. */
	readonly maxBytes: number;
	readonly logger: Logger;
	readonly metrics?: MediaMetrics;
	/** Remote downloads running at once; more wait their turn. Default 16. */
	readonly maxConcurrentDownloads?: number;
	/** Overall deadline of one download, headers to last byte; a slow trickle ends here. Default 10 minutes. */
	readonly maxDownloadMs?: number;
	/**
	 * `federation_domain_whitelist` (the outbound stack's router): media of a server it does not list is refused
	 * with `ERR_FEDERATION_DENIED` before the store and the network, as Synapse does. Default: every server.
	 */
	readonly federation?: Pick<Router, 'assertFederationAllowed'>;
}

const DEFAULT_MAX_DOWNLOAD_MS = 10 * 60 * 1000;

interface Flight {
	readonly listeners: Set<ProgressListener>;
}

/** Store lookups with single-flight downloads on a miss. */
export class MediaService {
	readonly #options: MediaServiceOptions;
	readonly #flights = new SingleFlight<string, StoredMedia>();
	readonly #progress = new Map<string, Flight>();
	readonly #limiter: Limiter;

	constructor(options: MediaServiceOptions) {
		this.#options = options;
		this.#limiter = new Limiter(options.maxConcurrentDownloads ?? 16);
	}

	/** The stored file for `ref`, downloading it first when needed. */
	async get(ref: MediaRef, options: GetOptions = {}): Promise<GotMedia> {
		this.#options.federation?.assertFederationAllowed(ref.serverName);
		const stored = await this.#options.store.lookup(ref);
		if (stored !== undefined) {
			this.#options.metrics?.lookups.inc({ result: 'hit' });
			return { media: stored, result: 'hit' };
		}
		const key = formatMxc(ref);
		const { promise, shared } = this.#flights.run(key, () => this.#download(key, ref, options));
		const listener = options.onProgress;
		const flight = this.#progress.get(key);
		if (shared && listener !== undefined && flight !== undefined) {
			flight.listeners.add(listener);
		}
		this.#options.metrics?.lookups.inc({ result: shared ? 'shared' : 'miss' });
		return { media: await promise, result: shared ? 'shared' : 'miss' };
	}

	/** How many downloads are running. */
	get downloadsInFlight(): number {
		return this.#flights.size;
	}

	async #download(key: string, ref: MediaRef, options: GetOptions): Promise<StoredMedia> {
		const { store, source, maxBytes, logger, metrics } = this.#options;
		const flight: Flight = {
			listeners: new Set(options.onProgress === undefined ? [] : [options.onProgress]),
		};
		this.#progress.set(key, flight);
		const started = process.hrtime.bigint();
		const log = logger.child({ media: key });
		const deadline = new AbortController();
		const deadlineMs = this.#options.maxDownloadMs ?? DEFAULT_MAX_DOWNLOAD_MS;
		let body: Readable | undefined;
		const release = await this.#limiter.acquire();
		const timer = setTimeout(() => {
			deadline.abort();
			body?.destroy();
		}, deadlineMs);
		try {
			// A download that finished between our lookup and joining the flight left the file in the store.
			const stored = await store.lookup(ref);
			if (stored !== undefined) {
				return stored;
			}
			const fetchOptions: RemoteFetchOptions = { maxBytes, signal: deadline.signal };
			const remote = await source.fetch(
				ref,
				options.timeoutMs === undefined ? fetchOptions : { ...fetchOptions, timeoutMs: options.timeoutMs },
			);
			body = remote.body;
			if (deadline.signal.aborted) {
				remote.body.destroy();
			}
			if (remote.contentLength !== null && remote.contentLength > maxBytes) {
				remote.body.destroy();
				throw new MediaFetcherError('ERR_MEDIA_TOO_LARGE', `The media is larger than ${maxBytes} bytes`);
			}
			const total = remote.contentLength;
			const media = await store.save(
				ref,
				{
					contentType: normalizeContentType(remote.contentType),
					fileName: fileNameFromDisposition(remote.contentDisposition),
					body: remote.body,
				},
				{
					maxBytes,
					onProgress: (received) => flight.listeners.forEach((listener) => listener(received, total)),
				},
			);
			metrics?.downloads.inc({ outcome: 'ok' });
			metrics?.downloadedBytes.inc(media.size);
			log.info({ size: media.size, contentType: media.contentType }, 'remote media stored');
			return media;
		} catch (caught) {
			const error = deadline.signal.aborted
				? new MediaFetcherError('ERR_REMOTE_TIMEOUT', `The download took longer than ${deadlineMs} ms`, {
						cause: caught,
					})
				: caught instanceof MediaFetcherError
					? caught
					: new MediaFetcherError('ERR_REMOTE_FAILED', 'Failed to fetch remote media', { cause: caught });
			metrics?.downloads.inc({ outcome: error.code });
			// Codes and message only: a transport error object can carry request options.
			log.warn(
				{ code: error.code, cause: error.causeCode ?? null, reason: error.message },
				'remote media download failed',
			);
			throw error;
		} finally {
			clearTimeout(timer);
			release();
			this.#progress.delete(key);
			metrics?.downloadSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
		}
	}
}
