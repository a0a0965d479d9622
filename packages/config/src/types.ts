/**
 * The shape of the one validated, frozen configuration shared by every package.
 *
 * Everything here is plain data (plus the credential-hiding {@link ProxyEndpoint}), parsed once at
 * start-up by `loadConfig()`; consumers compile their own fast matchers from it once.
 */
import type { IpCidr } from './ip/cidr.js';

/** Why an outbound request is made; decides whether it is proxied and which IP policy applies (DESIGN.md 3.4). */
export type Purpose =
	| 'federation'
	| 'media_redirect'
	| 'push'
	| 'url_preview'
	| 'oidc'
	| 'cas'
	| 'recaptcha'
	| 'phone_home'
	| 'key_revocation'
	| 'appservice'
	| 'identity_server'
	| 'replication';

/** Where a proxy setting came from, for messages: `http_proxy (homeserver.yaml)`, `HTTPS_PROXY (environment)`. */
export type SettingSource = string;

/**
 * A parsed forward-proxy URL (DESIGN.md 3.2). The credentials are kept in private fields: they never appear in
 * `JSON.stringify`, `String()`, `util.inspect` or any message; only {@link ProxyEndpoint.authorization} reveals them,
 * as the value of a `Proxy-Authorization` header.
 */
export interface ProxyEndpoint {
	/** `http:` (plain TCP to the proxy) or `https:` (TLS to the proxy, verified against {@link host}). */
	readonly protocol: 'http:' | 'https:';
	/** Host name (lower case, IDNA ASCII) or IP address, IPv6 without brackets. */
	readonly host: string;
	/** Port, 1080 when the URL has none. */
	readonly port: number;
	/** Whether the URL carried a user name (and so a `Proxy-Authorization` header is sent). */
	readonly hasCredentials: boolean;
	/** Decoded user name, or undefined. Not secret, but kept out of metrics. */
	readonly username: string | undefined;
	/** `Basic base64(user:password)`, or undefined without credentials. The only way to the secret. */
	readonly authorization: string | undefined;
	/** `scheme://host:port` with IPv6 bracketed, no credentials: safe for the socket's `connect` line. */
	readonly origin: string;
	/** The URL with the password replaced by `***` (user kept): safe for logs and `route --json`. */
	readonly redacted: string;
	/** The setting this came from. */
	readonly source: SettingSource;
	toString(): string;
	toJSON(): string;
}

/** One `no_proxy` entry, parsed (DESIGN.md 3.3). `raw` is the entry as the operator wrote it. */
export type NoProxyEntry =
	| { readonly kind: 'wildcard'; readonly raw: string }
	| {
			readonly kind: 'domain';
			/** Lower case, IDNA ASCII, without leading `.`/`*.` and trailing `.`. */
			readonly domain: string;
			readonly port: number | undefined;
			readonly raw: string;
	  }
	| {
			readonly kind: 'ip';
			/** The address as a single-address range (IPv4-mapped IPv6 folded to IPv4). */
			readonly cidr: IpCidr;
			readonly port: number | undefined;
			readonly raw: string;
	  }
	| {
			readonly kind: 'cidr';
			/** The range, host bits cleared, a range inside IPv4-mapped space folded to IPv4 (`foldMappedCidr`). */
			readonly cidr: IpCidr;
			readonly port: number | undefined;
			readonly raw: string;
	  };

/** The effective `no_proxy` list and where it came from. */
export interface NoProxyList {
	readonly entries: readonly NoProxyEntry[];
	/** True when any entry is `*`: nothing is proxied. */
	readonly matchAll: boolean;
	/** `no_proxy_hosts (homeserver.yaml)`, `NO_PROXY (environment)`, or `none`. */
	readonly source: SettingSource;
}

/** One IP range of a block- or allowlist, with where it came from, so refusals can name it. */
export interface IpRange {
	/** The range in the numeric form the matchers use; `String(cidr)` is its canonical text. */
	readonly cidr: IpCidr;
	/** The entry as written in the configuration (for defaults, the default entry's own text), for messages. */
	readonly raw: string;
	/**
	 * For a range derived from a written one, the written range: the IPv4-compatible, 6to4 and NAT64 forms of an
	 * IPv4 range, the IPv4 range of an IPv4-mapped IPv6 range, `0.0.0.0/0` for an IPv6 range containing the
	 * mapped space. Undefined for the range as written.
	 */
	readonly derivedFrom: string | undefined;
}

/** An IP policy (DESIGN.md 3.5): blocked unless allow-listed. */
export interface IpPolicy {
	/** The configuration key an operator changes to alter the blocklist, e.g. `ip_range_blacklist`. */
	readonly blocklistKey: string;
	readonly blocklist: readonly IpRange[];
	/** The key for the allowlist, e.g. `ip_range_whitelist`. */
	readonly allowlistKey: string;
	readonly allowlist: readonly IpRange[];
}

/** How one purpose behaves (DESIGN.md 3.4, after `outbound_proxy_purposes` overrides). */
export interface PurposePolicy {
	/** Whether requests of this purpose may use a proxy at all. */
	readonly proxied: boolean;
	/** Only `https_proxy` is used (federation): plain-http requests of this purpose go direct. */
	readonly httpsProxyOnly: boolean;
	/** The IP policy, or null for none (appservice, replication). */
	readonly ipPolicy: IpPolicy | null;
	/** Which TLS settings apply: `federation` (federation_verify_certificates / custom CA) or `default`. */
	readonly tls: 'federation' | 'default';
}

/** TLS settings for destinations and for the proxy hop. */
export interface TlsConfig {
	/** `use_insecure_ssl_client_just_for_testing_do_not_use`: no certificate checks for non-federation purposes. */
	readonly insecureSkipVerify: boolean;
	/** `federation_verify_certificates` (default true). */
	readonly federationVerifyCertificates: boolean;
	/** PEM text of every file in `federation_custom_ca_list`, read at start-up; null when unset (system roots). */
	readonly federationCustomCa: readonly string[] | null;
}

/** Synapse's `database` shape: `{name: sqlite3, args: {database: path}}` or `{name: psycopg2, args: {...}}`. */
export type DatabaseConfig =
	| { readonly kind: 'sqlite'; readonly path: string }
	| {
			readonly kind: 'postgres';
			readonly host: string | undefined;
			readonly port: number | undefined;
			readonly user: string | undefined;
			readonly database: string | undefined;
			/** Kept out of JSON by the loader (redacted). */
			readonly password: string | undefined;
	  };

/** A loopback (or operator-chosen) listener. */
export interface ListenConfig {
	readonly bindAddress: string;
	readonly port: number;
}

/** `federation_sender:` section (ours). */
export interface FederationSenderConfig {
	readonly database: DatabaseConfig;
	/** null: no metrics listener. */
	readonly metrics: ListenConfig | null;
}

/** `media_fetcher:` section (ours). */
export interface MediaFetcherConfig {
	readonly listen: ListenConfig;
	readonly database: DatabaseConfig;
	readonly metrics: ListenConfig | null;
}

/** Proxy settings after precedence rules (DESIGN.md 3.1). */
export interface ProxyConfig {
	/** For http:// destinations; null when none. */
	readonly http: ProxyEndpoint | null;
	/** For https:// destinations; null when none. Never falls back to {@link http}. */
	readonly https: ProxyEndpoint | null;
	readonly noProxy: NoProxyList;
}

/** The whole configuration, deeply frozen. */
export interface Config {
	/** Absolute path of the YAML file read, or null for built-in defaults. */
	readonly configPath: string | null;
	/** Directory relative paths were resolved against (the YAML's directory, else the working directory). */
	readonly baseDir: string;
	/** `server_name`; `localhost` by default. */
	readonly serverName: string;
	/** Absolute path of `signing_key_path`, or null when unset. */
	readonly signingKeyPath: string | null;
	readonly proxy: ProxyConfig;
	/** Every purpose, resolved. */
	readonly purposes: Readonly<Record<Purpose, PurposePolicy>>;
	readonly tls: TlsConfig;
	/** `max_upload_size` in bytes (default 50M). */
	readonly maxUploadSize: number;
	/** Absolute `media_store_path` (default `media_store` beside the config). */
	readonly mediaStorePath: string;
	readonly federationSender: FederationSenderConfig;
	readonly mediaFetcher: MediaFetcherConfig;
	/** Start-up warnings (unknown keys, http_proxy without https_proxy, ALL_PROXY set, insecure TLS...). */
	readonly warnings: readonly string[];
}

/** The environment as the loader sees it; pass `process.env` only at the program's edge. */
export type Environment = Readonly<Record<string, string | undefined>>;
