/**
 * Synapse's `federation:` section (request timeout, retries within one request, per-destination backoff) and the
 * federation TLS keys `federation_client_minimum_tls_version` and `federation_certificate_verification_whitelist`,
 * with Synapse's defaults (synapse/config/federation.py, synapse/config/tls.py).
 */
import type { Problems } from './errors.js';
import { showValue } from './errors.js';
import { parseDuration } from './duration.js';
import type { HomeserverYaml } from './schema.js';
import type { FederationRetryConfig, TlsVersion } from './types.js';

/** Synapse's defaults for `federation:`. */
export const DEFAULT_FEDERATION_RETRY: FederationRetryConfig = Object.freeze({
	clientTimeoutMs: 60_000,
	maxShortRetryDelayMs: 2_000,
	maxLongRetryDelayMs: 60_000,
	maxShortRetries: 3,
	maxLongRetries: 10,
	destinationMinRetryIntervalMs: 10 * 60_000,
	destinationRetryMultiplier: 2,
	destinationMaxRetryIntervalMs: 7 * 86_400_000,
});

type DurationKey =
	| 'client_timeout'
	| 'max_short_retry_delay'
	| 'max_long_retry_delay'
	| 'destination_min_retry_interval'
	| 'destination_max_retry_interval';

/** Builds `federation:` (shapes were checked by the schema; durations are parsed here). */
export function buildFederationRetry(
	section: HomeserverYaml['federation'],
	problems: Problems,
): FederationRetryConfig {
	const d = DEFAULT_FEDERATION_RETRY;
	const duration = (key: DurationKey, fallback: number, positive = false): number => {
		const value = section?.[key];
		if (value === undefined) return fallback;
		const ms = parseDuration(value);
		if (typeof ms === 'string' || (positive && ms === 0)) {
			problems.add(
				`federation.${key}`,
				showValue(value),
				typeof ms === 'string' ? ms : 'must be more than 0',
			);
			return fallback;
		}
		return ms;
	};
	return {
		clientTimeoutMs: duration('client_timeout', d.clientTimeoutMs, true),
		maxShortRetryDelayMs: duration('max_short_retry_delay', d.maxShortRetryDelayMs),
		maxLongRetryDelayMs: duration('max_long_retry_delay', d.maxLongRetryDelayMs),
		maxShortRetries: section?.max_short_retries ?? d.maxShortRetries,
		maxLongRetries: section?.max_long_retries ?? d.maxLongRetries,
		destinationMinRetryIntervalMs: duration(
			'destination_min_retry_interval',
			d.destinationMinRetryIntervalMs,
			true,
		),
		destinationRetryMultiplier: section?.destination_retry_multiplier ?? d.destinationRetryMultiplier,
		destinationMaxRetryIntervalMs: duration(
			'destination_max_retry_interval',
			d.destinationMaxRetryIntervalMs,
			true,
		),
	};
}

const TLS_VERSIONS: Readonly<Record<string, TlsVersion>> = {
	'1': 'TLSv1',
	'1.1': 'TLSv1.1',
	'1.2': 'TLSv1.2',
	'1.3': 'TLSv1.3',
};

/** `federation_client_minimum_tls_version`: `1`, `1.1`, `1.2` or `1.3` (string or YAML number); default `1`. */
export function buildMinimumTlsVersion(
	value: string | number | null | undefined,
	problems: Problems,
): TlsVersion {
	if (value === null || value === undefined) return 'TLSv1';
	const version = TLS_VERSIONS[String(value).trim()];
	if (version === undefined) {
		problems.add(
			'federation_client_minimum_tls_version',
			showValue(value),
			'must be one of 1, 1.1, 1.2, 1.3',
		);
		return 'TLSv1';
	}
	return version;
}

/**
 * `federation_certificate_verification_whitelist`: server names or globs (`*` any run of characters, `?` one), kept
 * as written in lower case; the outbound stack compiles them. Non-ASCII names are refused, as in Synapse (write the
 * IDNA `xn--` form).
 */
export function buildCertificateWhitelist(
	value: readonly string[] | null | undefined,
	problems: Problems,
): readonly string[] {
	const patterns: string[] = [];
	for (const [index, entry] of (value ?? []).entries()) {
		if (!/^[\x21-\x7e]+$/.test(entry)) {
			problems.add(
				`federation_certificate_verification_whitelist[${index}]`,
				showValue(entry),
				'must be an ASCII server name or pattern without spaces (write internationalised names in their xn-- form)',
			);
			continue;
		}
		patterns.push(entry.toLowerCase());
	}
	return patterns;
}
