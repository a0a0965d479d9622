/**
 * The real transport of `run`, built from the configuration: the outbound HTTP stack (proxy routing, IP policy,
 * timeouts, pooled connections and CONNECT tunnels), the federation client of `@homeserver/federation` on top of
 * it (resolution, signing, candidates) and the signing key from `signing_key_path`. `resolve` uses the same
 * outbound stack and resolver, without a key.
 */
import type { LookupFunction } from 'node:net';
import type { Config } from '@homeserver/config';
import {
	createFederationClient,
	createServerResolver,
	createWellKnownFetcher,
	explainResolution,
	loadSigningKey,
} from '@homeserver/federation';
import type { FederationClient, ResolutionReport, SrvDns } from '@homeserver/federation';
import { createOutboundHttp, createOutboundMetrics } from '@homeserver/outbound-http';
import type { OutboundHttp, OutboundHttpOptions } from '@homeserver/outbound-http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { SendTransaction } from '../worker/types.js';
import { sendTransactionVia } from './send-transaction.js';

/** Options of {@link createFederationTransport}; tests inject name resolution that maps to loopback. */
export interface FederationTransportOptions {
	/** DNS for direct destinations and the proxy's name (default `dns.lookup`). */
	readonly lookup?: LookupFunction;
	/** SRV lookups for server-name resolution (default `node:dns/promises`). */
	readonly dns?: SrvDns;
	/** More options of the outbound stack (timeouts, extra CAs...). */
	readonly outbound?: Omit<OutboundHttpOptions, 'logger' | 'lookup'>;
	/** Deadline of one attempt to send a transaction (default 60 s, as Synapse). */
	readonly timeoutMs?: number;
	/**
	 * Where outbound-http's counters are registered (`outbound_requests_total{purpose,route}`,
	 * `outbound_request_errors_total{purpose,code}`): the `/metrics` registry of `run`. Default: a registry of
	 * their own (`http.metrics.registry`).
	 */
	readonly metricsRegistry?: Registry;
}

/** The transport and what it is made of. */
export interface FederationTransport {
	readonly send: SendTransaction;
	readonly client: FederationClient;
	readonly http: OutboundHttp;
	/** Closes every pooled connection and tunnel. */
	close(): Promise<void>;
}

/** How `resolve` explains a server name; close it when done. */
export interface ResolutionExplainer {
	explain(serverName: string): Promise<ResolutionReport>;
	close(): void;
}

/** Largest transaction answer read (`{"pdus": {...}}` for at most 50 PDUs). */
const MAX_RESPONSE_BYTES = 256 * 1024;

function createOutbound(config: Config, logger: Logger, options: FederationTransportOptions): OutboundHttp {
	return createOutboundHttp(config, {
		...options.outbound,
		...(options.metricsRegistry === undefined
			? {}
			: { metrics: createOutboundMetrics(options.metricsRegistry) }),
		logger,
		...(options.lookup === undefined ? {} : { lookup: options.lookup }),
	});
}

/**
 * What `resolve` runs: the resolver of `run` (its `.well-known` fetched through the outbound stack, purpose
 * `federation`) and `explainResolution` on it. Needs no signing key.
 */
export function createResolutionExplainer(
	config: Config,
	logger: Logger,
	options: FederationTransportOptions = {},
): ResolutionExplainer {
	const outbound = createOutbound(config, logger, options);
	const resolver = createServerResolver({
		fetchWellKnown: createWellKnownFetcher(outbound),
		...(options.dns === undefined ? {} : { dns: options.dns }),
	});
	return {
		explain: (serverName) => explainResolution({ resolver, outbound }, serverName),
		close: () => outbound.close(),
	};
}

/**
 * Reads the signing key (`loadSigningKey`) and builds the transport. Throws federation's `ERR_SIGNING_KEY_MISSING`
 * (unset, unreadable) or `ERR_SIGNING_KEY_INVALID` (malformed) unchanged; the message names the setting or the file.
 */
export async function createFederationTransport(
	config: Config,
	logger: Logger,
	options: FederationTransportOptions = {},
): Promise<FederationTransport> {
	const signingKey = await loadSigningKey(config);
	logger.info({ key: signingKey.keyId }, 'signing key loaded');
	const http = createOutbound(config, logger, options);
	const client = createFederationClient({
		config,
		outbound: http,
		signingKey,
		logger,
		...(options.dns === undefined ? {} : { dns: options.dns }),
	});
	const send = sendTransactionVia(client, {
		timeoutMs: options.timeoutMs ?? 60_000,
		maxResponseBytes: MAX_RESPONSE_BYTES,
	});
	return {
		send,
		client,
		http,
		close: () => {
			client.close();
			http.close();
			return Promise.resolve();
		},
	};
}
