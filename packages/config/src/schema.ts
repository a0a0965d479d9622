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

/** Our `federation_sender:` section. */
export const federationSenderSchema = z.looseObject({
	database: databaseSchema.optional(),
	metrics: listenSchema.nullable().optional(),
});

/** Our `media_fetcher:` section. */
export const mediaFetcherSchema = z.looseObject({
	listen: listenSchema.optional(),
	database: databaseSchema.optional(),
	metrics: listenSchema.nullable().optional(),
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
	max_upload_size: z
		.union([z.number(), z.string()], 'must be a size like "50M" or a number of bytes')
		.optional(),
	media_store_path: path.optional(),
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
