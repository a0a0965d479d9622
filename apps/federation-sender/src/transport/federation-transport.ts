/**
 * The real transport of `run`, built from the configuration by `createFederationStack`: the outbound HTTP stack (proxy routing, IP policy,
 * timeouts, pooled connections and CONNECT tunnels), the federation client of `@homeserver/federation` on top of
 * it (resolution, signing, candidates) and the signing key from `signing_key_path`. `resolve` uses the same
 * outbound stack and resolver, without a key.
 */
import type { LookupFunction } from 'node:net';
import type { Config } from '@homeserver/config';
import {
	createFederationStack,
	createOutboundStack,
	createStackResolver,
	explainResolution,
} from '@homeserver/federation';
import type {
	FederationClient,
	FederationStackOptions,
	ResolutionReport,
	SrvDns,
} from '@homeserver/federation';
import { createOutboundMetrics } from '@homeserver/outbound-http';
import type { OutboundHttp, OutboundHttpOptions } from '@homeserver/outbound-http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { SendTransaction } from '../worker/types.js';
import { PermitGate } from './permit-gate.js';
import { sendTransactionVia } from './send-transaction.js';

/** Options of {@link createFederationTransport}; tests inject name resolution that maps to loopback. */
export interface FederationTransportOptions {
	/** DNS for direct destinations and the proxy's name (default `dns.lookup`). */
	readonly lookup?: LookupFunction;
	/** SRV lookups for server-name resolution (default `node:dns/promises`). */
	readonly dns?: SrvDns;
	/** More options of the outbound stack (timeouts, extra CAs...). */
	readonly outbound?: Omit<OutboundHttpOptions, 'logger' | 'lookup'>;
	/** Deadline of one attempt, resolution included (default `federation_sender.send_timeout_ms`, else `federation.client_timeout`). */
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

function stackOptions(
	config: Config,
	logger: Logger,
	options: FederationTransportOptions,
): FederationStackOptions {
	const { metricsRegistry } = options;
	return {
		logger,
		wellKnownTimeoutMs: config.federationSender.wellKnownTimeoutMs,
		srvTimeoutMs: config.federationSender.srvTimeoutMs,
		...(options.lookup === undefined ? {} : { lookup: options.lookup }),
		...(options.dns === undefined ? {} : { dns: options.dns }),
		outbound: {
			...options.outbound,
			...(metricsRegistry === undefined ? {} : { metrics: createOutboundMetrics(metricsRegistry) }),
		},
	};
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
	const outbound = createOutboundStack(config, stackOptions(config, logger, options));
	const resolver = createStackResolver(outbound, stackOptions(config, logger, options));
	return {
		explain: (serverName) => explainResolution({ resolver, outbound }, serverName),
		close: () => outbound.close(),
	};
}

/**
 * Builds the transport on the shared `createFederationStack` (signing key, outbound stack, federation client).
 * Throws federation's `ERR_SIGNING_KEY_MISSING` (unset, unreadable) or `ERR_SIGNING_KEY_INVALID` (malformed)
 * unchanged; the message names the setting or the file.
 */
export async function createFederationTransport(
	config: Config,
	logger: Logger,
	options: FederationTransportOptions = {},
): Promise<FederationTransport> {
	const stack = await createFederationStack(config, stackOptions(config, logger, options));
	const { client, http } = stack;
	const send = sendTransactionVia(client, {
		timeoutMs: options.timeoutMs ?? config.federationSender.sendTimeoutMs,
		maxResponseBytes: MAX_RESPONSE_BYTES,
		resolutions: new PermitGate(config.federationSender.maxConcurrentResolutions),
	});
	return {
		send,
		client,
		http,
		close: () => {
			stack.close();
			return Promise.resolve();
		},
	};
}
