/**
 * Assembling the media fetcher from a configuration: store, remote source, service, metrics, and (for `serve`)
 * the HTTP listeners. Both CLI commands build on this, and so can tests and embedders.
 */
import type { Server } from 'node:http';
import type { Config } from '@homeserver/config';
import { startMetricsServer, type MetricsServer } from '@homeserver/outbound-http';
import type { Logger } from 'pino';
import { MediaFetcherError } from './errors.js';
import { MediaService, type MediaServiceOptions } from './media-service.js';
import { MediaMetrics } from './metrics.js';
import { createRemoteSourceFromConfig, type RemoteSourceOptions } from './remote/from-config.js';
import { createMediaHandler } from './serve/media-handler.js';
import { closeServer, listen } from './serve/servers.js';
import { MediaStore } from './store/media-store.js';

/** Options of {@link openMediaFetcher}: what the remote source may be given (tests map names to loopback). */
export type MediaFetcherOptions = RemoteSourceOptions & {
	/** Collect Node's default process metrics (memory, CPU, event loop). Default false. */
	readonly defaultMetrics?: boolean;
	/** Limits of the service over those of `media_fetcher:` (tests use short ones). */
	readonly limits?: Partial<
		Pick<
			MediaServiceOptions,
			| 'maxConcurrentDownloads'
			| 'maxDownloadMs'
			| 'maxDownloadsPerServer'
			| 'maxWaiting'
			| 'waitTimeoutMs'
			| 'bodyRate'
			| 'slowRemoteBackoffMs'
			| 'requesterLimit'
		>
	>;
};

/** The media fetcher without listeners. */
export interface MediaFetcher {
	readonly config: Config;
	readonly store: MediaStore;
	readonly service: MediaService;
	readonly metrics: MediaMetrics;
	/** Closes the outbound connections and the database. */
	close(): Promise<void>;
}

/** The media fetcher with its HTTP listeners. */
export interface RunningMediaFetcher extends MediaFetcher {
	readonly server: Server;
	/** The `/metrics` listener, or null when `media_fetcher.metrics` is not set. */
	readonly metricsServer: MetricsServer | null;
}

/** The SQLite file of `media_fetcher.database`; PostgreSQL is refused (`ERR_CONFIG_UNSUPPORTED`). */
function databasePath(config: Config): string {
	const database = config.mediaFetcher.database;
	if (database.kind !== 'sqlite') {
		throw new MediaFetcherError(
			'ERR_CONFIG_UNSUPPORTED',
			'media_fetcher.database: only sqlite3 is supported',
		);
	}
	return database.path;
}

/** Opens the store and builds the service from `config`. */
export async function openMediaFetcher(config: Config, options: MediaFetcherOptions): Promise<MediaFetcher> {
	const logger: Logger = options.logger;
	for (const warning of config.warnings) {
		logger.warn(warning);
	}
	const path = databasePath(config);
	const metrics = new MediaMetrics({ defaultMetrics: options.defaultMetrics === true });
	// The outbound stack counts in the same registry, so /metrics shows its requests and errors too.
	const { source, http } = await createRemoteSourceFromConfig(config, {
		...options,
		outbound: { ...options.outbound, metrics: options.outbound?.metrics ?? metrics.outbound },
	});
	let store: MediaStore;
	try {
		store = await MediaStore.open({ root: config.mediaStorePath, databasePath: path });
	} catch (error) {
		http.close();
		throw error;
	}
	if (store.cleanedTempFiles > 0) {
		logger.info({ removed: store.cleanedTempFiles }, 'removed temporary files left by an earlier run');
	}
	const downloads = config.mediaFetcher.downloads;
	const service = new MediaService({
		maxConcurrentDownloads: downloads.maxConcurrent,
		maxDownloadsPerServer: downloads.maxPerServer,
		maxWaiting: downloads.queueSize,
		waitTimeoutMs: downloads.queueTimeoutMs,
		maxDownloadMs: downloads.timeoutMs,
		bodyRate: { minBytesPerSecond: downloads.minBytesPerSecond, windowMs: downloads.rateWindowMs },
		slowRemoteBackoffMs: downloads.slowRemoteBackoffMs,
		requesterLimit: config.remoteMediaDownload,
		...options.limits,
		store,
		source,
		maxBytes: config.maxUploadSize,
		preventDownloadsFrom: config.preventMediaDownloadsFrom,
		logger,
		metrics,
		federation: http.router,
	});
	return {
		config,
		store,
		service,
		metrics,
		close() {
			http.close();
			store.close();
			return Promise.resolve();
		},
	};
}

/** Opens the media fetcher and starts listening on `media_fetcher.listen` (and `.metrics` when set). */
export async function startMediaFetcher(
	config: Config,
	options: MediaFetcherOptions,
): Promise<RunningMediaFetcher> {
	const fetcher = await openMediaFetcher(config, options);
	const { logger } = options;
	const handler = createMediaHandler({ service: fetcher.service, logger, metrics: fetcher.metrics });
	let server: Server | undefined;
	let metricsServer: MetricsServer | null = null;
	try {
		server = await listen(handler, config.mediaFetcher.listen);
		const metricsListen = config.mediaFetcher.metrics;
		if (metricsListen !== null) {
			metricsServer = await startMetricsServer(fetcher.metrics.registry, metricsListen, logger);
		}
	} catch (error) {
		if (server !== undefined) await closeServer(server);
		await fetcher.close();
		throw error;
	}
	const running = server;
	return {
		...fetcher,
		server: running,
		metricsServer,
		async close() {
			await Promise.all([closeServer(running), metricsServer?.close()]);
			await fetcher.close();
		},
	};
}
