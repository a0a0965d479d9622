/**
 * Getting a piece of remote media: from the local store when it is there, otherwise downloaded once (however
 * many callers ask at the same time), stored, then read from the store by every caller.
 */
import type { Readable } from 'node:stream';
import type { BodyRate, Router } from '@homeserver/outbound-http';
import type { Logger } from 'pino';
import { MediaFetcherError } from './errors.js';
import { fileNameFromDisposition, normalizeContentType } from './media-headers.js';
import { formatMxc, type MediaRef } from './media-id.js';
import type { MediaMetrics } from './metrics.js';
import { DownloadRateLimit } from './download-ratelimit.js';
import { Limiter, LimiterWaitError } from './limiter.js';
import { RemoteBackoff } from './remote-backoff.js';
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
	/** Aborts the download (the service's overall deadline, or no client waiting any more). */
	readonly signal?: AbortSignal;
	/** Milliseconds left of the download's overall deadline, so that a retry never outlasts it. */
	readonly remainingMs?: () => number;
	/** The slowest accepted transfer rate of every body of the download, framing included. */
	readonly bodyRate?: BodyRate;
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
	/** This caller's interest: when it aborts, the call fails with `ERR_DOWNLOAD_CANCELLED`, and the download
	 * stops once no caller waits for it any more. */
	readonly signal?: AbortSignal;
	/** Who asks (a client IP), for the per-requester download limit; none: not limited. */
	readonly requester?: string;
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
	/** Overall deadline of one download over all its phases, resolution to last byte. Default 10 minutes. */
	readonly maxDownloadMs?: number;
	/** Download slots one remote server may hold at once; its other downloads wait. Default 4. */
	readonly maxDownloadsPerServer?: number;
	/** Downloads that may wait for a slot; more fail with `ERR_DOWNLOAD_QUEUE_FULL`. Default 64. */
	readonly maxWaiting?: number;
	/** How long a download may wait for its slots (`ERR_DOWNLOAD_QUEUE_TIMEOUT`). Default 15 s. */
	readonly waitTimeoutMs?: number;
	/** Minimum body rate over a window; a trickle fails with `ERR_REMOTE_TOO_SLOW`. Default 1 KiB/s over 10 s. */
	readonly bodyRate?: BodyRate;
	/** How long a server that was too slow (or timed out) is refused at once. Default 60 s; 0: never. */
	readonly slowRemoteBackoffMs?: number;
	/** Synapse's per-requester leaky bucket; none: requesters are not limited. */
	readonly requesterLimit?: { readonly burstBytes: number; readonly bytesPerSecond: number };
	/**
	 * `prevent_media_downloads_from` (lower case): media of these servers is refused before the store or the network
	 * is looked at, even when stored already (Synapse answers 404 `M_NOT_FOUND`). Default none.
	 */
	readonly preventDownloadsFrom?: readonly string[];
	/**
	 * `federation_domain_whitelist` (the outbound stack's router): media of a server it does not list is refused
	 * with `ERR_FEDERATION_DENIED` before the store and the network, as Synapse does. Default: every server.
	 */
	readonly federation?: Pick<Router, 'assertFederationAllowed'>;
}

const DEFAULT_MAX_DOWNLOAD_MS = 10 * 60 * 1000;
const DEFAULT_BODY_RATE: BodyRate = { minBytesPerSecond: 1024, windowMs: 10_000 };
/** What a client is told to wait when the queue is full (one queue wait). */
const DEFAULT_WAIT_TIMEOUT_MS = 15_000;

interface Flight {
	readonly listeners: Set<ProgressListener>;
}

/** Codes that mean the remote was slow: its server is backed off. */
const SLOW_CODES: ReadonlySet<string> = new Set(['ERR_REMOTE_TIMEOUT', 'ERR_REMOTE_TOO_SLOW']);

/** Store lookups with single-flight downloads on a miss. */
export class MediaService {
	readonly #options: MediaServiceOptions;
	readonly #flights = new SingleFlight<string, StoredMedia>();
	readonly #progress = new Map<string, Flight>();
	readonly #limiter: Limiter;
	/** One limiter per server holding or waiting for a slot; dropped when idle. */
	readonly #perServer = new Map<string, Limiter>();
	readonly #backoff: RemoteBackoff;
	readonly #requesters: DownloadRateLimit | undefined;
	readonly #waitTimeoutMs: number;
	readonly #prevented: ReadonlySet<string>;
	/** Downloads waiting for a slot, per-server or global. */
	#waitingTotal = 0;

	constructor(options: MediaServiceOptions) {
		this.#options = options;
		this.#waitTimeoutMs = options.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
		this.#limiter = new Limiter(options.maxConcurrentDownloads ?? 16, {
			maxWaiting: options.maxWaiting ?? 64,
		});
		this.#backoff = new RemoteBackoff(options.slowRemoteBackoffMs ?? 60_000);
		const limit = options.requesterLimit;
		this.#requesters =
			limit === undefined ? undefined : new DownloadRateLimit(limit.burstBytes, limit.bytesPerSecond);
		this.#prevented = new Set(options.preventDownloadsFrom ?? []);
	}

	/**
	 * The stored file for `ref`, downloading it first when needed. Media of a server in `preventDownloadsFrom` is
	 * refused with `ERR_MEDIA_DOWNLOAD_PREVENTED` (404 `M_NOT_FOUND`, the message as neutral as Synapse's).
	 */
	async get(ref: MediaRef, options: GetOptions = {}): Promise<GotMedia> {
		this.#options.federation?.assertFederationAllowed(ref.serverName);
		if (this.#prevented.size > 0 && this.#prevented.has(ref.serverName.toLowerCase())) {
			this.#options.logger.info(
				{ media: formatMxc(ref) },
				'media refused: its server is listed in prevent_media_downloads_from',
			);
			throw new MediaFetcherError('ERR_MEDIA_DOWNLOAD_PREVENTED', 'Not found');
		}
		const stored = await this.#options.store.lookup(ref);
		if (stored !== undefined) {
			this.#options.metrics?.lookups.inc({ result: 'hit' });
			return { media: stored, result: 'hit' };
		}
		const backedOff = this.#backoff.remainingMs(ref.serverName);
		if (backedOff > 0) {
			throw new MediaFetcherError(
				'ERR_REMOTE_BACKED_OFF',
				`${ref.serverName} was too slow recently: not asked again for ${Math.ceil(backedOff / 1000)} s`,
				{ retryAfterMs: backedOff },
			);
		}
		const { requester } = options;
		const limited = requester === undefined ? 0 : (this.#requesters?.retryAfterMs(requester) ?? 0);
		if (limited > 0) {
			throw new MediaFetcherError('ERR_RATE_LIMITED', 'Too many remote media downloads: try again later', {
				retryAfterMs: limited,
			});
		}
		const key = formatMxc(ref);
		const { promise, shared } = this.#flights.run(
			key,
			(signal) => this.#download(key, ref, options, signal),
			options.signal,
		);
		const listener = options.onProgress;
		const flight = this.#progress.get(key);
		if (shared && listener !== undefined && flight !== undefined) {
			flight.listeners.add(listener);
		}
		this.#options.metrics?.lookups.inc({ result: shared ? 'shared' : 'miss' });
		let media: StoredMedia;
		try {
			media = await promise;
		} catch (error) {
			if (options.signal?.aborted === true && !(error instanceof MediaFetcherError)) {
				throw new MediaFetcherError('ERR_DOWNLOAD_CANCELLED', 'The client went away', { cause: error });
			}
			throw error;
		} finally {
			if (listener !== undefined) flight?.listeners.delete(listener);
		}
		if (requester !== undefined) this.#requesters?.add(requester, media.size);
		return { media, result: shared ? 'shared' : 'miss' };
	}

	/** Waits for a slot of `serverName` and then a global one, within one wait deadline; returns the release. */
	async #acquireSlots(serverName: string, signal: AbortSignal): Promise<() => void> {
		let server = this.#perServer.get(serverName);
		if (server === undefined) {
			server = new Limiter(this.#options.maxDownloadsPerServer ?? 4, {
				maxWaiting: this.#options.maxWaiting ?? 64,
			});
			this.#perServer.set(serverName, server);
		}
		const limiter = server;
		const dropIfIdle = (): void => {
			if (limiter.active === 0 && limiter.waiting === 0 && this.#perServer.get(serverName) === limiter) {
				this.#perServer.delete(serverName);
			}
		};
		const waitMs = this.#waitTimeoutMs;
		const wait = new AbortController();
		const timer = setTimeout(() => wait.abort(), waitMs);
		const stop = (): void => wait.abort();
		signal.addEventListener('abort', stop, { once: true });
		let releaseServer: (() => void) | undefined;
		// One bound on waiting over both stages (per server, then global): `maxWaiting` in all.
		const mustWait =
			limiter.active >= (this.#options.maxDownloadsPerServer ?? 4) ||
			this.#limiter.active >= (this.#options.maxConcurrentDownloads ?? 16);
		if (mustWait) this.#waitingTotal++;
		try {
			if (mustWait && this.#waitingTotal > (this.#options.maxWaiting ?? 64)) {
				throw new LimiterWaitError('full', 'Too many requests are waiting for a download slot');
			}
			releaseServer = await limiter.acquire(wait.signal);
			const releaseGlobal = await this.#limiter.acquire(wait.signal);
			const held = releaseServer;
			return () => {
				releaseGlobal();
				held();
				dropIfIdle();
			};
		} catch (error) {
			releaseServer?.();
			dropIfIdle();
			if (!(error instanceof LimiterWaitError) || signal.aborted) throw error;
			const full = error.reason === 'full';
			throw new MediaFetcherError(
				full ? 'ERR_DOWNLOAD_QUEUE_FULL' : 'ERR_DOWNLOAD_QUEUE_TIMEOUT',
				full
					? 'Too many remote media downloads are waiting: try again later'
					: `No remote download slot became free within ${waitMs} ms: try again later`,
				{ cause: error, retryAfterMs: full ? waitMs : Math.min(waitMs, 5000) },
			);
		} finally {
			if (mustWait) this.#waitingTotal--;
			clearTimeout(timer);
			signal.removeEventListener('abort', stop);
		}
	}

	/** How many downloads are running or waiting for a slot. */
	get downloadsInFlight(): number {
		return this.#flights.size;
	}

	/** Download slots in use, and downloads waiting for one (for their server's or a global slot). */
	get slots(): { readonly active: number; readonly waiting: number } {
		return { active: this.#limiter.active, waiting: this.#waitingTotal };
	}

	/** Servers backed off now for being slow. */
	get backedOffServers(): number {
		return this.#backoff.size;
	}

	async #download(
		key: string,
		ref: MediaRef,
		options: GetOptions,
		cancel: AbortSignal,
	): Promise<StoredMedia> {
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
		let release: () => void;
		try {
			release = await this.#acquireSlots(ref.serverName, cancel);
		} catch (error) {
			this.#progress.delete(key);
			metrics?.downloads.inc({
				outcome: error instanceof MediaFetcherError ? error.code : 'ERR_DOWNLOAD_CANCELLED',
			});
			throw error;
		}
		let cancelled = false;
		const stop = (): void => {
			deadline.abort();
			body?.destroy();
		};
		const onCancel = (): void => {
			cancelled = true;
			stop();
		};
		cancel.addEventListener('abort', onCancel, { once: true });
		const timer = setTimeout(stop, deadlineMs);
		const endsAt = performance.now() + deadlineMs;
		try {
			// A download that finished between our lookup and joining the flight left the file in the store.
			const stored = await store.lookup(ref);
			if (stored !== undefined) {
				return stored;
			}
			const fetchOptions: RemoteFetchOptions = {
				maxBytes,
				signal: deadline.signal,
				remainingMs: () => endsAt - performance.now(),
				bodyRate: this.#options.bodyRate ?? DEFAULT_BODY_RATE,
			};
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
			const error = cancelled
				? new MediaFetcherError('ERR_DOWNLOAD_CANCELLED', 'No client waits for the download any more', {
						cause: caught,
					})
				: deadline.signal.aborted
					? new MediaFetcherError('ERR_REMOTE_TIMEOUT', `The download took longer than ${deadlineMs} ms`, {
							cause: caught,
						})
					: caught instanceof MediaFetcherError
						? caught
						: new MediaFetcherError('ERR_REMOTE_FAILED', 'Failed to fetch remote media', { cause: caught });
			metrics?.downloads.inc({ outcome: error.code });
			if (SLOW_CODES.has(error.code)) this.#backoff.fail(ref.serverName);
			// Codes and message only: a transport error object can carry request options.
			log.warn(
				{ code: error.code, cause: error.causeCode ?? null, reason: error.message },
				'remote media download failed',
			);
			throw error;
		} finally {
			clearTimeout(timer);
			cancel.removeEventListener('abort', onCancel);
			release();
			this.#progress.delete(key);
			metrics?.downloadSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
		}
	}
}
