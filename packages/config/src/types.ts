/**
 * The shape of the one validated, frozen configuration shared by every package.
 *
 * Everything here is plain data (plus the credential-hiding {@link ProxyEndpoint}), parsed once at
 * start-up by `loadConfig()`; consumers compile their own fast matchers from it once.
 */
import type { IpCidr } from './ip/cidr.js';

/** Why an outbound request is made; decides whether it is proxied and which IP policy applies (docs/architecture.md 3.4). */
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
 * A parsed forward-proxy URL (docs/architecture.md 3.2). The credentials are kept in private fields: they never appear in
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

/** One `no_proxy` entry, parsed (docs/architecture.md 3.3). `raw` is the entry as the operator wrote it. */
export type NoProxyEntry =
	| { readonly kind: 'wildcard'; readonly raw: string }
	/** `<local>`: names without a dot (see {@link NoProxyList.matchLocal}). */
	| { readonly kind: 'local'; readonly raw: string }
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
	/**
	 * True when an entry is `<local>` (as in Windows' proxy bypass list): host names without a dot (`intranet`,
	 * `localhost`) are reached directly. IP literals never match it.
	 */
	readonly matchLocal: boolean;
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

/** An IP policy (docs/architecture.md 3.5): blocked unless allow-listed. */
export interface IpPolicy {
	/** The configuration key an operator changes to alter the blocklist, e.g. `ip_range_blacklist`. */
	readonly blocklistKey: string;
	readonly blocklist: readonly IpRange[];
	/** The key for the allowlist, e.g. `ip_range_whitelist`. */
	readonly allowlistKey: string;
	readonly allowlist: readonly IpRange[];
}

/** How one purpose behaves (docs/architecture.md 3.4, after `outbound_proxy_purposes` overrides). */
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
	/**
	 * `federation_client_minimum_tls_version` as Node's name (`1` is `TLSv1`, Synapse's default). The outbound
	 * stack uses the higher of this and Node's own minimum.
	 */
	readonly federationMinimumTlsVersion: TlsVersion;
	/**
	 * `federation_certificate_verification_whitelist`: lower-case server names or globs (`*` any run of characters
	 * including dots, `?` one character) whose federation certificates are not verified. Empty by default; only
	 * meaningful while {@link federationVerifyCertificates} is true.
	 */
	readonly federationCertificateVerificationWhitelist: readonly string[];
}

/** A TLS protocol version, as Node names it (`minVersion`). */
export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** Synapse's `federation:` section, in milliseconds (Synapse's defaults when unset). */
export interface FederationRetryConfig {
	/** `client_timeout` (60 s): deadline of one federation request attempt. */
	readonly clientTimeoutMs: number;
	/** `max_short_retry_delay` (2 s): cap of one delay between retries of a request someone waits for. */
	readonly maxShortRetryDelayMs: number;
	/** `max_long_retry_delay` (60 s): cap of one delay between retries of a background request (a transaction). */
	readonly maxLongRetryDelayMs: number;
	/** `max_short_retries` (3). */
	readonly maxShortRetries: number;
	/** `max_long_retries` (10). */
	readonly maxLongRetries: number;
	/** `destination_min_retry_interval` (10 min): the first backoff of a destination after a failure. */
	readonly destinationMinRetryIntervalMs: number;
	/** `destination_retry_multiplier` (2): growth of the backoff per further failure. */
	readonly destinationRetryMultiplier: number;
	/** `destination_max_retry_interval` (1 week): cap of the backoff. */
	readonly destinationMaxRetryIntervalMs: number;
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
	/** `lease_ttl` (ms): how long a destination stays leased to an instance that stopped heart-beating (10 s). */
	readonly leaseTtlMs: number;
	/** `poll_interval` (ms): the fallback rescan of the outbox when no wake-up signal arrived (1 s). */
	readonly pollIntervalMs: number;
	/** `retention` (ms): delivered and rejected rows are pruned after this long (7 days). */
	readonly retentionMs: number;
	/**
	 * `catch_up_after` (ms, 1 h): a destination that answers again after failing for longer than this gets only the
	 * newest queued PDU of each room (Synapse's catch-up; the remote fetches the rest); the older ones are skipped.
	 */
	readonly catchUpAfterMs: number;
	/** `ephemeral_edus`: EDU types dropped instead of sent once older than `maxAgeMs`. */
	readonly ephemeralEdus: { readonly types: readonly string[]; readonly maxAgeMs: number };
	/**
	 * `send_timeout_ms` (default 60000, Synapse's): the deadline of one attempt to send a transaction, counted before
	 * the destination is resolved, so resolution, waiting for a resolution slot, proxy, TLS, headers and body are
	 * all inside it. A destination that runs out of it is backed off like a failing one.
	 */
	readonly sendTimeoutMs: number;
	/** `well_known_timeout_ms` (default 10000): budget of one `.well-known` lookup, attempts and redirects included. */
	readonly wellKnownTimeoutMs: number;
	/** `srv_timeout_ms` (default 5000): time for one SRV answer; none in time is a DNS failure. */
	readonly srvTimeoutMs: number;
	/**
	 * `max_concurrent_sends` (default 32): delivery slots for sending. The worker serves this many destinations at
	 * once plus {@link maxConcurrentResolutions}.
	 */
	readonly maxConcurrentSends: number;
	/**
	 * `max_concurrent_resolutions` (default 32): destinations resolving a `.well-known` at once (a permit each, the
	 * others wait within their send deadline), with as many delivery slots of their own on top of
	 * {@link maxConcurrentSends}.
	 */
	readonly maxConcurrentResolutions: number;
}

/**
 * The limits of remote downloads in `media_fetcher:` (ours), so that slow or hostile remotes cannot hold every
 * download slot: the keys `max_concurrent_downloads`, `max_downloads_per_server`, `download_queue_size`,
 * `download_queue_timeout_ms`, `download_timeout_ms`, `min_download_rate`, `download_rate_window_ms`,
 * `slow_remote_backoff_ms`.
 */
export interface MediaDownloadLimits {
	/** Remote downloads running at once (default 16). */
	readonly maxConcurrent: number;
	/** Download slots one remote server may hold at once (default 4). */
	readonly maxPerServer: number;
	/** Requests that may wait for a slot; more are refused with 503 (default 64). */
	readonly queueSize: number;
	/** How long a request may wait for a slot before a 503 (default 15 000 ms). */
	readonly queueTimeoutMs: number;
	/** Overall deadline of one download over all its phases, resolution to last byte (default 600 000 ms). */
	readonly timeoutMs: number;
	/** Slowest accepted average body rate in bytes per second over one window; 0 turns it off (default 1K). */
	readonly minBytesPerSecond: number;
	/** The window the rate is measured over (default 10 000 ms). */
	readonly rateWindowMs: number;
	/** How long a server whose download was too slow or timed out is refused at once; 0: never (default 60 000 ms). */
	readonly slowRemoteBackoffMs: number;
}

/** `media_fetcher:` section (ours). */
export interface MediaFetcherConfig {
	readonly listen: ListenConfig;
	readonly database: DatabaseConfig;
	readonly metrics: ListenConfig | null;
	readonly downloads: MediaDownloadLimits;
}

/**
 * Synapse's per-requester limit on remote media downloads: a leaky bucket of bytes per requester that holds
 * `remote_media_download_burst_count` (default 500M) and drains at `remote_media_download_per_second`
 * (default 87K); a download starts only with 1 MiB free.
 */
export interface RemoteMediaDownloadLimit {
	readonly burstBytes: number;
	readonly bytesPerSecond: number;
}

/**
 * One entry of `outbound_proxy_rules` (ours, docs/architecture.md 3.1): destinations matching {@link match} use
 * {@link proxy} (null: direct) instead of `http_proxy` / `https_proxy` / `no_proxy`. The first matching rule wins.
 */
export interface ProxyRule {
	/** `outbound_proxy_rules[0]`: how messages and `route` reasons name the rule (0-based, as in the YAML path). */
	readonly name: string;
	/** The destinations, in the `no_proxy` syntax (domains, IPs, CIDR, `:port`, `*`). */
	readonly match: NoProxyList;
	/** The purposes the rule applies to; null for every purpose that may use a proxy. */
	readonly purposes: readonly Purpose[] | null;
	/** The proxy for both http:// (absolute form) and https:// (CONNECT); null means direct (the IP policy applies). */
	readonly proxy: ProxyEndpoint | null;
}

/** Proxy settings after precedence rules (docs/architecture.md 3.1). */
export interface ProxyConfig {
	/** `outbound_proxy_rules`, in order; consulted before everything below. Empty when unset. */
	readonly rules: readonly ProxyRule[];
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
	/**
	 * `federation_domain_whitelist`: when set, federation (requests, `.well-known`, keys, media) only with these
	 * server names, compared as written (Synapse's exact match); null (the default) allows every server.
	 */
	readonly federationDomainWhitelist: readonly string[] | null;
	/** Every purpose, resolved. */
	readonly purposes: Readonly<Record<Purpose, PurposePolicy>>;
	readonly tls: TlsConfig;
	/** `max_upload_size` in bytes (default 50M). */
	readonly maxUploadSize: number;
	/** Absolute `media_store_path` (default `media_store` beside the config). */
	readonly mediaStorePath: string;
	/** `remote_media_download_burst_count` / `remote_media_download_per_second`. */
	readonly remoteMediaDownload: RemoteMediaDownloadLimit;
	/** Synapse's `federation:` section (timeouts, retries, backoff). */
	readonly federation: FederationRetryConfig;
	/**
	 * `prevent_media_downloads_from`: lower-case server names whose media is never downloaded nor served (Synapse
	 * answers 404 `M_NOT_FOUND`, even for media it already has). Empty by default.
	 */
	readonly preventMediaDownloadsFrom: readonly string[];
	readonly federationSender: FederationSenderConfig;
	readonly mediaFetcher: MediaFetcherConfig;
	/** Start-up warnings (unknown keys, http_proxy without https_proxy, ALL_PROXY set, insecure TLS...). */
	readonly warnings: readonly string[];
}

/** The environment as the loader sees it; pass `process.env` only at the program's edge. */
export type Environment = Readonly<Record<string, string | undefined>>;
