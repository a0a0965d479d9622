import type { Purpose } from '@homeserver/config';
import type { BeforeRequestHook } from 'got';
import type { Logger } from 'pino';
import type { AgentRegistry } from '../agents/agent-registry.js';
import { OutboundHttpError } from '../errors/outbound-http-error.js';
import { logDecision } from '../logging.js';
import type { OutboundMetrics } from '../metrics.js';
import { assertRoutable } from '../route/route-decision.js';
import type { Router } from '../route/router.js';
import type { OutboundContext } from './body-cap.js';

/** What the routing hook of one purpose needs. */
export interface RouteHookContext {
	readonly purpose: Purpose;
	readonly router: Router;
	readonly agents: AgentRegistry;
	readonly logger: Logger;
	readonly metrics: OutboundMetrics;
	readonly isClosed: () => boolean;
}

/**
 * The `beforeRequest` hook that routes every hop: got runs it for the first request, each redirect and each retry,
 * with `options.url` set to that hop's URL. It refuses blocked IP literals (ERR_IP_BLOCKED) and servers
 * `federation_domain_whitelist` does not list (ERR_FEDERATION_DENIED, on `context.serverName`), picks the agent of
 * the route (setting both `agent.http` and `agent.https`), counts the hop, logs the decision at debug level and
 * hands it to `context.onRoute` (so a caller that wants the decision reuses this one instead of routing again).
 */
export function routeHook(context: RouteHookContext): BeforeRequestHook {
	const { purpose, router, agents, logger, metrics } = context;
	const counted = {
		proxy: metrics.requests.labels(purpose, 'proxy'),
		direct: metrics.requests.labels(purpose, 'direct'),
		blocked: metrics.requests.labels(purpose, 'blocked'),
	};
	return (options) => {
		if (context.isClosed())
			throw new OutboundHttpError('ERR_CLIENT_CLOSED', 'the outbound HTTP client was closed');
		const url = options.url;
		if (url === undefined) throw new OutboundHttpError('ERR_INVALID_URL', 'the request has no URL');
		const outboundContext = options.context as OutboundContext;
		const decision = router.route(url, purpose, outboundContext.serverName);
		counted[decision.route].inc();
		logDecision(logger, decision);
		outboundContext.onRoute?.(decision);
		assertRoutable(decision);
		options.agent = agents.select(decision);
		// got spreads `cacheOptions` (4 undefined keys by default) into every request's native options; on V8 11.3
		// (Node 20) an object literal spreading a non-empty object then adding keys gets a new hidden class per call
		// (V8 bug 13303), tens of microseconds and much of the GC per request. An empty object (got's documented
		// default) avoids it; the options are only read by got's cache, which does not use them unless `cache` is set.
		if (!options.cache) options.cacheOptions = {};
	};
}
