/**
 * The apps' wiring in one place (docs/architecture.md 2): the outbound HTTP stack built from the configuration
 * (proxy routing, IP policy, timeouts, pooled connections and CONNECT tunnels), the server's signing key from
 * `signing_key_path`, and the federation client on top of both. `federation-sender` and `media-fetcher` build
 * exactly this; what differs between them (timeouts, extra CAs, where the counters go) is in the options.
 */
import type { LookupFunction } from 'node:net';
import type { Config } from '@homeserver/config';
import { createOutboundHttp } from '@homeserver/outbound-http';
import type { OutboundHttp, OutboundHttpOptions } from '@homeserver/outbound-http';
import type { Logger } from 'pino';
import { createFederationClient } from './federation-client.js';
import type { FederationClient } from './federation-client.js';
import { loadSigningKey } from './load-signing-key.js';
import type { SigningKey } from './signing-key.js';
import { createServerResolver } from './server-resolver.js';
import type { ServerResolver } from './server-resolver.js';
import type { SrvDns } from './srv-records.js';
import { createWellKnownFetcher } from './well-known-fetcher.js';

/** Options of {@link createFederationStack} and {@link createOutboundStack}; tests inject loopback name resolution. */
export interface FederationStackOptions {
	/** Receives the stack's log lines. */
	readonly logger: Logger;
	/** DNS for direct destinations and the proxy's name (default `dns.lookup`). */
	readonly lookup?: LookupFunction;
	/** SRV lookups for server-name resolution (default `node:dns/promises`). */
	readonly dns?: SrvDns;
	/**
	 * More options of the outbound stack (timeouts, extra CAs, `metrics`: `createOutboundMetrics(registry)` puts
	 * its counters in the app's `/metrics` registry)...
	 */
	readonly outbound?: Omit<OutboundHttpOptions, 'logger' | 'lookup'>;
	/** Budget of one `.well-known` lookup over its attempts and redirects (default 10 s). */
	readonly wellKnownTimeoutMs?: number;
	/** Time for one SRV answer (default 5 s). */
	readonly srvTimeoutMs?: number;
}

/** What {@link createFederationStack} builds. */
export interface FederationStack {
	readonly signingKey: SigningKey;
	readonly http: OutboundHttp;
	readonly client: FederationClient;
	/** Closes the client and every pooled connection and tunnel of the stack. */
	close(): void;
}

/** The outbound HTTP stack of {@link createFederationStack}, alone (e.g. to explain a resolution without a key). */
export function createOutboundStack(config: Config, options: FederationStackOptions): OutboundHttp {
	return createOutboundHttp(config, {
		...options.outbound,
		logger: options.logger,
		...(options.lookup === undefined ? {} : { lookup: options.lookup }),
	});
}

/**
 * The server-name resolver of the stack: `.well-known` fetched through `outbound` (purpose `federation`), SRV
 * through `options.dns`, within the configured budgets (docs/architecture.md 4).
 */
export function createStackResolver(outbound: OutboundHttp, options: FederationStackOptions): ServerResolver {
	return createServerResolver({
		fetchWellKnown: createWellKnownFetcher(outbound),
		...(options.wellKnownTimeoutMs === undefined ? {} : { wellKnownTimeoutMs: options.wellKnownTimeoutMs }),
		...(options.srvTimeoutMs === undefined ? {} : { srvTimeoutMs: options.srvTimeoutMs }),
		...(options.dns === undefined ? {} : { dns: options.dns }),
	});
}

/**
 * Reads the signing key (`loadSigningKey`: `ERR_SIGNING_KEY_MISSING` when unset or unreadable,
 * `ERR_SIGNING_KEY_INVALID` when malformed; nothing is built then) and builds the outbound stack and the
 * federation client on it.
 */
export async function createFederationStack(
	config: Config,
	options: FederationStackOptions,
): Promise<FederationStack> {
	const signingKey = await loadSigningKey(config);
	options.logger.info({ key: signingKey.keyId }, 'signing key loaded');
	const http = createOutboundStack(config, options);
	const client = createFederationClient({
		config,
		outbound: http,
		signingKey,
		logger: options.logger,
		resolver: createStackResolver(http, options),
	});
	return {
		signingKey,
		http,
		client,
		close: () => {
			client.close();
			http.close();
		},
	};
}
