/**
 * Our own namespaced sections (docs/architecture.md 6): `federation_sender:` and `media_fetcher:`, with Synapse's
 * `database` shape and relative paths resolved against the configuration file's directory.
 */
import { isAbsolute, resolve } from 'node:path';
import type { Problems } from './errors.js';
import { showValue } from './errors.js';
import { normaliseHostName } from './host-name.js';
import { formatIp, parseIpExact } from './ip/ip-address.js';
import type { DatabaseYaml, HomeserverYaml, ListenYaml } from './schema.js';
import { parseSize } from './size.js';
import type {
	DatabaseConfig,
	FederationSenderConfig,
	ListenConfig,
	MediaDownloadLimits,
	MediaFetcherConfig,
	RemoteMediaDownloadLimit,
} from './types.js';

/** `media_fetcher.listen` when not set. */
export const DEFAULT_MEDIA_FETCHER_LISTEN: ListenConfig = Object.freeze({
	bindAddress: '127.0.0.1',
	port: 8090,
});

/** The defaults of the `federation_sender:` limits (see {@link FederationSenderConfig}). */
export const DEFAULT_FEDERATION_SENDER_LIMITS = Object.freeze({
	sendTimeoutMs: 60_000,
	wellKnownTimeoutMs: 10_000,
	srvTimeoutMs: 5000,
	maxConcurrentSends: 32,
	maxConcurrentResolutions: 32,
});

/**
 * Builds `federation_sender:` with its defaults (SQLite file `federation-sender.db`, no metrics, the limits of
 * {@link DEFAULT_FEDERATION_SENDER_LIMITS}).
 */
export function buildFederationSender(
	section: HomeserverYaml['federation_sender'],
	baseDir: string,
	clientTimeoutMs: number,
	problems: Problems,
): FederationSenderConfig {
	const limits = DEFAULT_FEDERATION_SENDER_LIMITS;
	return {
		database: buildDatabase(section?.database, 'federation-sender.db', baseDir),
		metrics: buildListen(section?.metrics, 'federation_sender.metrics', problems) ?? null,
		// Unset, a send attempt gets Synapse's `federation.client_timeout` (60 s by default).
		sendTimeoutMs: section?.send_timeout_ms ?? clientTimeoutMs,
		wellKnownTimeoutMs: section?.well_known_timeout_ms ?? limits.wellKnownTimeoutMs,
		srvTimeoutMs: section?.srv_timeout_ms ?? limits.srvTimeoutMs,
		maxConcurrentSends: section?.max_concurrent_sends ?? limits.maxConcurrentSends,
		maxConcurrentResolutions: section?.max_concurrent_resolutions ?? limits.maxConcurrentResolutions,
		leaseTtlMs: durationMs(section?.lease_ttl) ?? FEDERATION_SENDER_DEFAULTS.leaseTtlMs,
		pollIntervalMs: durationMs(section?.poll_interval) ?? FEDERATION_SENDER_DEFAULTS.pollIntervalMs,
		retentionMs: durationMs(section?.retention) ?? FEDERATION_SENDER_DEFAULTS.retentionMs,
		catchUpAfterMs: durationMs(section?.catch_up_after) ?? FEDERATION_SENDER_DEFAULTS.catchUpAfterMs,
		ephemeralEdus: Object.freeze({
			types: Object.freeze([
				...(section?.ephemeral_edus?.types ?? FEDERATION_SENDER_DEFAULTS.ephemeralEduTypes),
			]),
			maxAgeMs:
				durationMs(section?.ephemeral_edus?.max_age) ?? FEDERATION_SENDER_DEFAULTS.ephemeralEduMaxAgeMs,
		}),
	};
}

/** Defaults of the `federation_sender:` timing keys. */
export const FEDERATION_SENDER_DEFAULTS = Object.freeze({
	leaseTtlMs: 10_000,
	pollIntervalMs: 1000,
	retentionMs: 7 * 86_400_000,
	/** Synapse's threshold: a destination failing longer than an hour is caught up with the newest PDU per room. */
	catchUpAfterMs: 3_600_000,
	ephemeralEduTypes: Object.freeze(['m.typing', 'm.receipt', 'm.presence']),
	ephemeralEduMaxAgeMs: 10 * 60_000,
});

const UNIT_MS: Readonly<Record<string, number>> = {
	ms: 1,
	s: 1000,
	m: 60_000,
	h: 3_600_000,
	d: 86_400_000,
	w: 604_800_000,
};

/** A validated duration (number of ms or `30s`-style string) in milliseconds. */
function durationMs(value: number | string | undefined): number | undefined {
	if (value === undefined || typeof value === 'number') return value;
	const match = /^(\d+)(ms|s|m|h|d|w)$/.exec(value);
	return match === null ? undefined : Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? 1);
}

/** Builds `media_fetcher:` with its defaults (listen 127.0.0.1:8090, SQLite file `media-fetcher.db`, no metrics). */
export function buildMediaFetcher(
	section: HomeserverYaml['media_fetcher'],
	baseDir: string,
	problems: Problems,
): MediaFetcherConfig {
	return {
		listen: buildListen(section?.listen, 'media_fetcher.listen', problems) ?? DEFAULT_MEDIA_FETCHER_LISTEN,
		database: buildDatabase(section?.database, 'media-fetcher.db', baseDir),
		metrics: buildListen(section?.metrics, 'media_fetcher.metrics', problems) ?? null,
		downloads: buildDownloadLimits(section, problems),
	};
}

/** The download limits when not set (see {@link MediaDownloadLimits}). */
export const DEFAULT_MEDIA_DOWNLOAD_LIMITS: MediaDownloadLimits = Object.freeze({
	maxConcurrent: 16,
	maxPerServer: 4,
	queueSize: 64,
	queueTimeoutMs: 15_000,
	timeoutMs: 600_000,
	minBytesPerSecond: 1024,
	rateWindowMs: 10_000,
	slowRemoteBackoffMs: 60_000,
});

function buildDownloadLimits(
	section: HomeserverYaml['media_fetcher'],
	problems: Problems,
): MediaDownloadLimits {
	const defaults = DEFAULT_MEDIA_DOWNLOAD_LIMITS;
	return {
		maxConcurrent: section?.max_concurrent_downloads ?? defaults.maxConcurrent,
		maxPerServer: section?.max_downloads_per_server ?? defaults.maxPerServer,
		queueSize: section?.download_queue_size ?? defaults.queueSize,
		queueTimeoutMs: section?.download_queue_timeout_ms ?? defaults.queueTimeoutMs,
		timeoutMs: section?.download_timeout_ms ?? defaults.timeoutMs,
		minBytesPerSecond: sizeOr(
			section?.min_download_rate,
			defaults.minBytesPerSecond,
			'media_fetcher.min_download_rate',
			problems,
			true,
		),
		rateWindowMs: section?.download_rate_window_ms ?? defaults.rateWindowMs,
		slowRemoteBackoffMs: section?.slow_remote_backoff_ms ?? defaults.slowRemoteBackoffMs,
	};
}

/** Synapse's defaults: a 500M bucket draining at 87K per second. */
export const DEFAULT_REMOTE_MEDIA_DOWNLOAD_LIMIT: RemoteMediaDownloadLimit = Object.freeze({
	burstBytes: 500 * 1024 * 1024,
	bytesPerSecond: 87 * 1024,
});

/** Builds `remote_media_download_burst_count` / `remote_media_download_per_second` (Synapse's keys). */
export function buildRemoteMediaDownloadLimit(
	yaml: HomeserverYaml,
	problems: Problems,
): RemoteMediaDownloadLimit {
	const defaults = DEFAULT_REMOTE_MEDIA_DOWNLOAD_LIMIT;
	return {
		burstBytes: sizeOr(
			yaml.remote_media_download_burst_count,
			defaults.burstBytes,
			'remote_media_download_burst_count',
			problems,
			false,
		),
		bytesPerSecond: sizeOr(
			yaml.remote_media_download_per_second,
			defaults.bytesPerSecond,
			'remote_media_download_per_second',
			problems,
			false,
		),
	};
}

function sizeOr(
	value: unknown,
	fallback: number,
	key: string,
	problems: Problems,
	zeroAllowed: boolean,
): number {
	if (value === undefined || value === null) return fallback;
	const size = parseSize(value);
	if (typeof size === 'string' || (size === 0 && !zeroAllowed)) {
		problems.add(key, showValue(value), typeof size === 'string' ? size : 'must be more than 0');
		return fallback;
	}
	return size;
}

/** Resolves a path from the configuration against `baseDir` (absolute paths stay as written). */
export function resolvePath(baseDir: string, path: string): string {
	return isAbsolute(path) ? path : resolve(baseDir, path);
}

function buildDatabase(
	database: DatabaseYaml | undefined,
	defaultFile: string,
	baseDir: string,
): DatabaseConfig {
	if (database === undefined || database.name === 'sqlite3') {
		const file = database?.args?.database ?? defaultFile;
		return { kind: 'sqlite', path: file === ':memory:' ? file : resolvePath(baseDir, file) };
	}
	const args = database.args ?? {};
	const config = {
		kind: 'postgres' as const,
		host: args.host,
		port: args.port === undefined ? undefined : Number(args.port),
		user: args.user,
		database: args.database ?? args.dbname,
	};
	// The password stays readable but non-enumerable: JSON.stringify and util.inspect skip it.
	Object.defineProperty(config, 'password', { value: args.password, enumerable: false });
	return config as DatabaseConfig;
}

function buildListen(
	listen: ListenYaml | null | undefined,
	key: string,
	problems: Problems,
): ListenConfig | undefined {
	if (listen === undefined || listen === null) {
		return undefined;
	}
	const written = listen.bind_address ?? '127.0.0.1';
	const ip = parseIpExact(written);
	if (ip !== undefined) {
		return { bindAddress: formatIp(ip), port: listen.port };
	}
	const name = normaliseHostName(written);
	if ('reason' in name) {
		problems.add(`${key}.bind_address`, showValue(written), `not an IP address or host name: ${name.reason}`);
		return undefined;
	}
	return { bindAddress: name.name, port: listen.port };
}
