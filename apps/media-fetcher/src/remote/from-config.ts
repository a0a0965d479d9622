/**
 * The federation media source of a deployment, built from the configuration by `createFederationStack`: the outbound HTTP stack (proxy
 * routing, IP policy, timeouts), the federation client of `@homeserver/federation` on top of it (resolution with
 * `.well-known` fetched through that stack, X-Matrix signing, candidates) and the signing key from
 * `signing_key_path`.
 */
import type { LookupFunction } from 'node:net';
import type { Config } from '@homeserver/config';
import { createFederationStack, shortRetryScheduleFromConfig, type SrvDns } from '@homeserver/federation';
import type { OutboundHttp, OutboundHttpOptions } from '@homeserver/outbound-http';
import type { Logger } from 'pino';
import type { RemoteMediaSource } from '../media-service.js';
import { createFederationMediaSource } from './federation-media-source.js';

/** Options of {@link createRemoteSourceFromConfig}; tests inject name resolution that maps to loopback. */
export interface RemoteSourceOptions {
	readonly logger: Logger;
	/** DNS for direct destinations (default `dns.lookup`). */
	readonly lookup?: LookupFunction;
	/** SRV lookups for server-name resolution (default `node:dns/promises`). */
	readonly dns?: SrvDns;
	/** More options of the outbound stack (timeouts, extra CAs for `Location` hosts, `metrics`...). */
	readonly outbound?: Omit<OutboundHttpOptions, 'logger' | 'lookup'>;
}

/** The source and the outbound stack behind it (close the stack on shutdown). */
export interface RemoteSource {
	readonly source: RemoteMediaSource;
	readonly http: OutboundHttp;
}

/**
 * Builds the source on the shared `createFederationStack` (signing key, outbound stack, federation client).
 * Throws federation's `ERR_SIGNING_KEY_MISSING` (unset, unreadable) or `ERR_SIGNING_KEY_INVALID` (malformed)
 * unchanged; the message names the setting or the file and line.
 */
export async function createRemoteSourceFromConfig(
	config: Config,
	options: RemoteSourceOptions,
): Promise<RemoteSource> {
	// Each download sets its own headers deadline (timeout_ms + margin) on its requests, over the stack's default.
	const { client, http } = await createFederationStack(config, options);
	// Synapse's short retries (`max_short_retries`, `max_short_retry_delay`): someone waits for this download.
	const source = createFederationMediaSource({
		client,
		http,
		logger: options.logger,
		retries: { schedule: shortRetryScheduleFromConfig(config.federation) },
	});
	return { source, http };
}
