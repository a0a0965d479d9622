/**
 * The zod schema of the `homeserver.yaml` keys we read: their YAML types and simple bounds. Meaning (proxy
 * URLs, `no_proxy` entries, IP ranges, sizes, paths) is checked afterwards by the dedicated parsers. Unknown
 * keys pass through here; the loader warns about them.
 */
import { z } from 'zod';

const stringList = z.array(z.string());
/** A list that may be written as null (meaning "not set"). */
const optionalList = stringList.nullable().optional();
const path = z.string().min(1, 'must be a non-empty path');
const port = z.int('must be a whole number').min(1, 'must be 1 to 65535').max(65_535, 'must be 1 to 65535');

/** `{bind_address, port}`; port 0 lets the system pick a free port (for tests). */
export const listenSchema = z.looseObject({
	bind_address: z.string().min(1).optional(),
	port: z.int('must be a whole number').min(0, 'must be 0 to 65535').max(65_535, 'must be 0 to 65535'),
});

const sqliteSchema = z.looseObject({
	name: z.literal('sqlite3'),
	args: z.looseObject({ database: path.optional() }).nullable().optional(),
});

const postgresSchema = z.looseObject({
	name: z.literal('psycopg2'),
	args: z
		.looseObject({
			host: z.string().optional(),
			port: z.union([port, z.string().regex(/^\d{1,5}$/, 'must be a port number')]).optional(),
			user: z.string().optional(),
			password: z.string().optional(),
			database: z.string().optional(),
			dbname: z.string().optional(),
		})
		.nullable()
		.optional(),
});

/** Synapse's `database` shape: `name` is `sqlite3` or `psycopg2`. */
export const databaseSchema = z.discriminatedUnion('name', [sqliteSchema, postgresSchema], {
	error: 'name must be "sqlite3" or "psycopg2"',
});

/** A whole number of milliseconds, at least 1 and at most one day. */
const millis = z
	.int('must be a whole number of milliseconds')
	.min(1, 'must be at least 1 (ms)')
	.max(86_400_000, 'must be at most 86400000 (one day, in ms)');
/** A count of concurrent operations. */
const slots = z
	.int('must be a whole number')
	.min(1, 'must be at least 1')
	.max(10_000, 'must be at most 10000');
/** A duration: milliseconds as a number, or a string like `500ms`, `30s`, `10m`, `1h`, `7d`, `1w`. */
const durationSchema = z.union(
	[
		z.int('must be a whole number of milliseconds').min(0, 'must not be negative'),
		z.string().regex(/^\d+(ms|s|m|h|d|w)$/, 'must be a duration like "30s", "10m", "7d"'),
	],
	'must be a duration like "30s" or a number of milliseconds',
);
/** A Synapse duration: a number of milliseconds, or text like `60s`, `10m`, `1w` (checked by `parseDuration`). */
const duration = z.union(
	[z.number(), z.string()],
	'must be a duration like "60s" or a number of milliseconds',
);
const count = z.int('must be a whole number').min(0, 'must be 0 or more');

/** Synapse's `federation:` section: request timeout, retries, and the per-destination backoff. */
export const federationSchema = z.looseObject({
	client_timeout: duration.optional(),
	max_short_retry_delay: duration.optional(),
	max_long_retry_delay: duration.optional(),
	max_short_retries: count.optional(),
	max_long_retries: count.optional(),
	destination_min_retry_interval: duration.optional(),
	destination_retry_multiplier: z.number('must be a number').min(1, 'must be 1 or more').optional(),
	destination_max_retry_interval: duration.optional(),
});

/** Our `federation_sender:` section. */
export const federationSenderSchema = z.looseObject({
	database: databaseSchema.optional(),
	metrics: listenSchema.nullable().optional(),
	send_timeout_ms: millis.optional(),
	well_known_timeout_ms: millis.optional(),
	srv_timeout_ms: millis.optional(),
	max_concurrent_sends: slots.optional(),
	max_concurrent_resolutions: slots.optional(),
	lease_ttl: durationSchema.optional(),
	poll_interval: durationSchema.optional(),
	retention: durationSchema.optional(),
	catch_up_after: durationSchema.optional(),
	ephemeral_edus: z
		.looseObject({
			types: z.array(z.string().min(1), 'must be a list of EDU types').optional(),
			max_age: durationSchema.optional(),
		})
		.optional(),
});

const positiveInt = z.int('must be a whole number').min(1, 'must be 1 or more');
const milliseconds = z
	.int('must be a whole number of milliseconds')
	.min(1, 'must be 1 ms or more')
	.max(86_400_000, 'must be at most 86400000 ms (one day)');
const sizeValue = z.union([z.number(), z.string()], 'must be a size like "50M" or a number of bytes');

/** Our `media_fetcher:` section. */
export const mediaFetcherSchema = z.looseObject({
	listen: listenSchema.optional(),
	database: databaseSchema.optional(),
	metrics: listenSchema.nullable().optional(),
	max_concurrent_downloads: positiveInt.optional(),
	max_downloads_per_server: positiveInt.optional(),
	download_queue_size: z.int('must be a whole number').min(0, 'must be 0 or more').optional(),
	download_queue_timeout_ms: milliseconds.optional(),
	download_timeout_ms: milliseconds.optional(),
	min_download_rate: sizeValue.optional(),
	download_rate_window_ms: milliseconds.optional(),
	slow_remote_backoff_ms: z
		.int('must be a whole number of milliseconds')
		.min(0, 'must be 0 or more')
		.max(86_400_000, 'must be at most 86400000 ms (one day)')
		.optional(),
});

/** The keys of `homeserver.yaml` that this package reads. */
export const documentSchema = z.looseObject({
	server_name: z.string().min(1, 'must not be empty').optional(),
	signing_key_path: path.nullable().optional(),
	http_proxy: z.string('must be a string or null').nullable().optional(),
	https_proxy: z.string('must be a string or null').nullable().optional(),
	no_proxy_hosts: z.array(z.string(), 'must be a list of strings or null').nullable().optional(),
	ip_range_blacklist: optionalList,
	ip_range_blocklist: optionalList,
	ip_range_whitelist: optionalList,
	ip_range_allowlist: optionalList,
	federation_ip_range_blacklist: optionalList,
	federation_ip_range_blocklist: optionalList,
	url_preview_ip_range_blacklist: optionalList,
	url_preview_ip_range_blocklist: optionalList,
	url_preview_ip_range_whitelist: optionalList,
	url_preview_ip_range_allowlist: optionalList,
	use_insecure_ssl_client_just_for_testing_do_not_use: z
		.boolean('must be true or false')
		.nullable()
		.optional(),
	federation_verify_certificates: z.boolean('must be true or false').nullable().optional(),
	federation_custom_ca_list: z.array(path, 'must be a list of file paths').nullable().optional(),
	federation_certificate_verification_whitelist: z
		.array(z.string().min(1, 'must not be empty'), 'must be a list of server names or patterns')
		.nullable()
		.optional(),
	federation_client_minimum_tls_version: z
		.union([z.string(), z.number()], 'must be "1", "1.1", "1.2" or "1.3"')
		.nullable()
		.optional(),
	federation: federationSchema.nullable().optional(),
	prevent_media_downloads_from: z
		.array(z.string().min(1, 'must not be empty'), 'must be a list of server names')
		.nullable()
		.optional(),
	max_upload_size: z
		.union([z.number(), z.string()], 'must be a size like "50M" or a number of bytes')
		.optional(),
	media_store_path: path.optional(),
	remote_media_download_burst_count: sizeValue.optional(),
	remote_media_download_per_second: sizeValue.optional(),
	outbound_proxy_purposes: z
		.record(z.string(), z.boolean('must be true or false'), 'must be a mapping of purpose to true or false')
		.nullable()
		.optional(),
	federation_domain_whitelist: z
		.array(z.string('must be a server name'), 'must be a list of server names or null')
		.nullable()
		.optional(),
	// Each rule's shape and meaning are checked by proxy-rules.ts, so every problem is named with its rule.
	outbound_proxy_rules: z.array(z.unknown(), 'must be a list of rules or null').nullable().optional(),
	federation_sender: federationSenderSchema.nullable().optional(),
	media_fetcher: mediaFetcherSchema.nullable().optional(),
});

/** The typed view of the keys we read. */
export type HomeserverYaml = z.infer<typeof documentSchema>;
/** A `database` section as written. */
export type DatabaseYaml = z.infer<typeof databaseSchema>;
/** A `{bind_address, port}` listener as written. */
export type ListenYaml = z.infer<typeof listenSchema>;

/** Keys this package reads, for the unknown-key warning. */
export const OWN_KEYS: ReadonlySet<string> = new Set(Object.keys(documentSchema.shape));
