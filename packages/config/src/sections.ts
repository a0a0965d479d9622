/**
 * Our own namespaced sections (DESIGN.md 6): `federation_sender:` and `media_fetcher:`, with Synapse's
 * `database` shape and relative paths resolved against the configuration file's directory.
 */
import { isAbsolute, resolve } from 'node:path';
import type { Problems } from './errors.js';
import { showValue } from './errors.js';
import { normaliseHostName } from './host-name.js';
import { formatIp, parseIpExact } from './ip/ip-address.js';
import type { DatabaseYaml, HomeserverYaml, ListenYaml } from './schema.js';
import type { DatabaseConfig, FederationSenderConfig, ListenConfig, MediaFetcherConfig } from './types.js';

/** `media_fetcher.listen` when not set. */
export const DEFAULT_MEDIA_FETCHER_LISTEN: ListenConfig = Object.freeze({
	bindAddress: '127.0.0.1',
	port: 8090,
});

/** Builds `federation_sender:` with its defaults (SQLite file `federation-sender.db`, no metrics). */
export function buildFederationSender(
	section: HomeserverYaml['federation_sender'],
	baseDir: string,
	problems: Problems,
): FederationSenderConfig {
	return {
		database: buildDatabase(section?.database, 'federation-sender.db', baseDir),
		metrics: buildListen(section?.metrics, 'federation_sender.metrics', problems) ?? null,
	};
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
	};
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
