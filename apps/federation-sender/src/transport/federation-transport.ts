/**
 * The real transport of `run`, built from the configuration: the outbound HTTP stack (proxy routing, IP policy,
 * timeouts, pooled connections and CONNECT tunnels), the server-name resolver (its `.well-known` fetched through
 * that stack) and the signing key from `signing_key_path`.
 */
import type { LookupFunction } from 'node:net';
import type { Config } from '@homeserver/config';
import {
	createServerResolver,
	readSigningKeyFile,
	type ServerResolver,
	type SrvDns,
	type WellKnownFetcher,
} from '@homeserver/federation';
import { createOutboundHttp, type OutboundHttp, type OutboundHttpOptions } from '@homeserver/outbound-http';
import type { Logger } from 'pino';
import { FederationSenderError } from '../errors.js';
import type { SendTransaction } from '../worker/types.js';
import { signedPut } from './signed-put.js';

/** Options of {@link createFederationTransport}; tests inject name resolution that maps to loopback. */
export interface FederationTransportOptions {
	/** DNS for direct destinations and the proxy's name (default `dns.lookup`). */
	readonly lookup?: LookupFunction;
	/** SRV lookups for server-name resolution (default `node:dns/promises`). */
	readonly dns?: SrvDns;
	/** More options of the outbound stack (timeouts, extra CAs...). */
	readonly outbound?: Omit<OutboundHttpOptions, 'logger' | 'lookup'>;
	/** Time to wait for a response (default 60 s, as Synapse). */
	readonly responseTimeoutMs?: number;
}

/** The transport and what it is made of. */
export interface FederationTransport {
	readonly send: SendTransaction;
	readonly http: OutboundHttp;
	readonly resolver: ServerResolver;
	/** Closes every pooled connection and tunnel. */
	close(): Promise<void>;
}

/** Largest transaction answer read (`{"pdus": {...}}` for at most 50 PDUs). */
const MAX_RESPONSE_BYTES = 256 * 1024;

/**
 * The outbound stack and a resolver whose `.well-known` requests go through it (purpose `federation`), as
 * `run` uses them; `resolve` uses this alone (it needs no signing key).
 */
export function createResolverStack(
	config: Config,
	logger: Logger,
	options: FederationTransportOptions = {},
): { http: OutboundHttp; resolver: ServerResolver } {
	const http = createOutboundHttp(config, {
		...options.outbound,
		logger,
		...(options.lookup === undefined ? {} : { lookup: options.lookup }),
	});
	const fetchWellKnown: WellKnownFetcher = async (serverName, { maxBytes }) => {
		const response = await http.client('federation')(`https://${serverName}/.well-known/matrix/server`, {
			context: { maxBytes },
			throwHttpErrors: false,
			responseType: 'buffer',
		});
		return { status: response.statusCode, headers: response.headers, body: response.rawBody };
	};
	const resolver = createServerResolver({
		fetchWellKnown,
		...(options.dns === undefined ? {} : { dns: options.dns }),
	});
	return { http, resolver };
}

/** Reads the signing key and builds the transport. Throws `ERR_SIGNING_KEY_MISSING` without a usable key. */
export async function createFederationTransport(
	config: Config,
	logger: Logger,
	options: FederationTransportOptions = {},
): Promise<FederationTransport> {
	if (config.signingKeyPath === null) {
		throw new FederationSenderError(
			'ERR_SIGNING_KEY_MISSING',
			'signing_key_path is not set: federation transactions must be signed with the server key',
		);
	}
	let key;
	try {
		key = await readSigningKeyFile(config.signingKeyPath);
	} catch (error) {
		throw new FederationSenderError(
			'ERR_SIGNING_KEY_MISSING',
			`cannot read the signing key ${config.signingKeyPath}: ${(error as Error).message}`,
			{ cause: error },
		);
	}
	logger.info({ key: key.keyId }, 'signing key loaded');
	const { http, resolver } = createResolverStack(config, logger, options);
	const context = {
		http,
		resolver,
		origin: config.serverName,
		key,
		responseTimeoutMs: options.responseTimeoutMs ?? 60_000,
		maxResponseBytes: MAX_RESPONSE_BYTES,
	};
	return {
		send: (destination, txnId, body, { signal }) => signedPut(context, destination, txnId, body, signal),
		http,
		resolver,
		close: () => {
			http.close();
			return Promise.resolve();
		},
	};
}
