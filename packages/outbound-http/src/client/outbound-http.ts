import type { LookupFunction } from 'node:net';
import type { Config, Purpose } from '@homeserver/config';
import { got } from 'got';
import type { Got } from 'got';
import type { Logger } from 'pino';
import { AgentRegistry } from '../agents/agent-registry.js';
import { DEFAULT_POOL_OPTIONS } from '../agents/pool-options.js';
import type { PoolOptions } from '../agents/pool-options.js';
import { silentLogger } from '../logging.js';
import { createOutboundMetrics } from '../metrics.js';
import type { OutboundMetrics } from '../metrics.js';
import type { RouteDecision } from '../route/route-decision.js';
import { routerFor } from '../route/router.js';
import type { Router } from '../route/router.js';
import { bodyCapHandler } from './body-cap.js';
import { bodyRateHandler, checkBodyRate, DEFAULT_BODY_RATE } from './body-rate.js';
import type { BodyRate } from './body-rate.js';
import { toOutboundError } from './map-error.js';
import { nativeRequest } from './native-request.js';
import { routeHook } from './route-hook.js';
import { DEFAULT_TIMEOUTS, gotTimeouts } from './timeouts.js';
import type { OutboundTimeouts } from './timeouts.js';
import { validateOutboundHttpOptions } from './validate-options.js';

/** Options of {@link createOutboundHttp}; all optional. */
export interface OutboundHttpOptions {
	/** Receives one debug line per routed request (default: silent). */
	readonly logger?: Logger;
	/** Counters to increment (default: new ones in their own registry, see {@link OutboundHttp.metrics}). */
	readonly metrics?: OutboundMetrics;
	/** DNS for direct destinations and for the proxy's name (default `dns.lookup`); tests map names to loopback. */
	readonly lookup?: LookupFunction;
	/** `User-Agent` of requests and CONNECTs (default `homeserver-outbound-http`). */
	readonly userAgent?: string;
	/** Time limits per phase (defaults: {@link DEFAULT_TIMEOUTS}). */
	readonly timeouts?: Partial<OutboundTimeouts>;
	/**
	 * Minimum transfer rate of response bodies (default {@link DEFAULT_BODY_RATE}: 1 KiB/s over 10 s windows);
	 * `false` turns it off. A request may set its own with `context: { bodyRate }`. Too slow: `ERR_TIMEOUT`, phase
	 * `rate`.
	 */
	readonly bodyRate?: BodyRate | false;
	/** Keep-alive pool settings (defaults: {@link DEFAULT_POOL_OPTIONS}). */
	readonly pool?: Partial<PoolOptions>;
	/** got retry limit for idempotent requests (default 2, got's; 0 turns retries off). */
	readonly retryLimit?: number;
	/** Extra trusted CA certificates (PEM), added to the system roots wherever those are used. */
	readonly ca?: readonly string[];
}

/** One configured outbound HTTP stack: a router, per-purpose got clients, agents, metrics. */
export interface OutboundHttp {
	readonly config: Config;
	readonly router: Router;
	readonly metrics: OutboundMetrics;
	/** The route a request would take (no DNS, no I/O). */
	route(url: URL | string, purpose: Purpose): RouteDecision;
	/**
	 * The got instance of a purpose, created once and reused: every hop routed, typed errors, `context.maxBytes`.
	 * Extend it (`client.extend({...})`) for per-caller defaults; the routing hook stays first.
	 */
	client(purpose: Purpose): Got;
	/** Destroys every agent and socket; later requests fail with ERR_CLIENT_CLOSED. */
	close(): void;
}

const RETRY_ERROR_CODES = [
	'ETIMEDOUT',
	'ECONNRESET',
	'EADDRINUSE',
	'ECONNREFUSED',
	'EPIPE',
	'ENOTFOUND',
	'ENETUNREACH',
	'EAI_AGAIN',
	'ERR_PROXY_UNREACHABLE',
	'ERR_PROXY_TIMEOUT',
];

/**
 * Builds the outbound HTTP stack of docs/architecture.md 3 for one configuration. Every request of `client(purpose)` is routed
 * per hop (proxy tunnel, proxy forward, direct with the IP policy enforced at connection time, or refused), with
 * bounded time for every phase and errors of this package's catalogue (`docs/errors.md`), raised by a `beforeError`
 * hook so the promise and the stream API both see them. Invalid options throw `ERR_INVALID_OPTION` at once.
 */
export function createOutboundHttp(config: Config, options: OutboundHttpOptions = {}): OutboundHttp {
	validateOutboundHttpOptions(options);
	const router = routerFor(config);
	const logger = options.logger ?? silentLogger();
	const metrics = options.metrics ?? createOutboundMetrics();
	const timeouts: OutboundTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
	const bodyRate = options.bodyRate ?? DEFAULT_BODY_RATE;
	checkBodyRate(bodyRate, 'bodyRate');
	const userAgent = options.userAgent ?? 'homeserver-outbound-http';
	const agents = new AgentRegistry(config, router, {
		lookup: options.lookup,
		pool: { ...DEFAULT_POOL_OPTIONS, ...options.pool },
		proxyTimeoutMs: timeouts.proxy,
		secureConnectTimeoutMs: timeouts.secureConnect,
		userAgent,
		extraCa: options.ca ?? [],
	});
	const clients = new Map<Purpose, Got>();
	let closed = false;

	const create = (purpose: Purpose): Got => {
		router.ipPolicy(purpose); // throws ERR_UNKNOWN_PURPOSE early
		const profile = agents.profile(purpose);
		const countError = (code: string): void => metrics.errors.labels(purpose, code).inc();
		return got.extend({
			context: { purpose },
			headers: { 'user-agent': userAgent },
			http2: false,
			request: nativeRequest,
			timeout: gotTimeouts(timeouts),
			retry: { limit: options.retryLimit ?? 2, errorCodes: RETRY_ERROR_CODES },
			// The trusted roots come with the agents (one TLS context per profile), not as a `ca` list per request.
			https: { rejectUnauthorized: profile.rejectUnauthorized },
			hooks: {
				beforeRequest: [routeHook({ purpose, router, agents, logger, metrics, isClosed: () => closed })],
				beforeError: [
					(error) => {
						const mapped = toOutboundError(error, profile.hint);
						countError(mapped.code);
						return mapped;
					},
				],
			},
			handlers: [bodyCapHandler((error) => countError(error.code)), bodyRateHandler(bodyRate)],
		});
	};

	return {
		config,
		router,
		metrics,
		route: (url, purpose) => router.route(url, purpose),
		client(purpose) {
			let client = clients.get(purpose);
			if (client === undefined) clients.set(purpose, (client = create(purpose)));
			return client;
		},
		close() {
			closed = true;
			agents.destroy();
		},
	};
}
