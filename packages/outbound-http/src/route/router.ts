import type { Config, NoProxyEntry, ProxyEndpoint, Purpose, PurposePolicy } from '@homeserver/config';
import { OutboundHttpError } from '../errors/outbound-http-error.js';
import { redactUrl } from '../redact-url.js';
import { compileIpPolicy } from './ip-policy-matcher.js';
import type { IpPolicyMatcher } from './ip-policy-matcher.js';
import { compileNoProxy } from './no-proxy-matcher.js';
import type { IpBlock } from '../errors/request-errors.js';
import type { BlockedDecision, DirectDecision, ProxyDecision, RouteDecision } from './route-decision.js';
import { hostPort, parseTarget, toUrl } from './route-target.js';
import type { ParsedTarget } from './route-target.js';

/** Decides routes for one configuration. */
export interface Router {
	/**
	 * The route of a request to `url` for `purpose` (docs/architecture.md 3): pure, no DNS. Throws ERR_INVALID_URL,
	 * ERR_UNSUPPORTED_PROTOCOL or ERR_UNKNOWN_PURPOSE; a refused IP literal is a `blocked` decision, not a throw.
	 */
	route(url: URL | string, purpose: Purpose): RouteDecision;
	/** The compiled IP policy of a purpose, or null when it has none (used at connection time). */
	ipPolicy(purpose: Purpose): IpPolicyMatcher | null;
}

/** A proxy with its `host:port`, computed once rather than per decision. */
interface ProxyChoice {
	readonly endpoint: ProxyEndpoint;
	readonly connect: string;
}

interface CompiledPurpose {
	readonly policy: PurposePolicy;
	readonly ipPolicy: IpPolicyMatcher | null;
	/** The proxy per destination protocol, or a reason why there is none. */
	readonly http: ProxyChoice | string;
	readonly https: ProxyChoice | string;
}

function proxyFor(
	purpose: Purpose,
	policy: PurposePolicy,
	endpoint: ProxyEndpoint | null,
	key: 'http_proxy' | 'https_proxy',
): ProxyChoice | string {
	if (!policy.proxied) return `purpose ${purpose} is not proxied`;
	if (key === 'http_proxy' && policy.httpsProxyOnly) {
		return `purpose ${purpose} uses only https_proxy; http:// goes direct`;
	}
	if (endpoint === null) return `no ${key} configured`;
	return { endpoint, connect: hostPort(endpoint.host, endpoint.port) };
}

/**
 * Compiles a configuration into a {@link Router}: the `no_proxy` list and every IP policy once, then each
 * decision is a few hash lookups (see the route benchmark).
 */
export function createRouter(config: Config): Router {
	const noProxy = compileNoProxy(config.proxy.noProxy);
	const noProxySource = config.proxy.noProxy.source;
	/** The `reason` of each no_proxy entry that matched so far (at most one string per entry). */
	const noProxyReasons = new Map<NoProxyEntry, string>();
	const noProxyReason = (entry: NoProxyEntry): string => {
		let reason = noProxyReasons.get(entry);
		if (reason === undefined) {
			reason =
				entry.kind === 'wildcard'
					? `no_proxy '*' (${noProxySource})`
					: `no_proxy entry '${entry.raw}' (${noProxySource})`;
			noProxyReasons.set(entry, reason);
		}
		return reason;
	};
	const purposes = new Map<string, CompiledPurpose>();
	for (const [purpose, policy] of Object.entries(config.purposes) as [Purpose, PurposePolicy][]) {
		purposes.set(purpose, {
			policy,
			ipPolicy: policy.ipPolicy === null ? null : compileIpPolicy(policy.ipPolicy),
			http: proxyFor(purpose, policy, config.proxy.http, 'http_proxy'),
			https: proxyFor(purpose, policy, config.proxy.https, 'https_proxy'),
		});
	}
	const compiled = (purpose: Purpose): CompiledPurpose => {
		const entry = purposes.get(purpose);
		if (entry === undefined) {
			throw new OutboundHttpError(
				'ERR_UNKNOWN_PURPOSE',
				`unknown purpose ${JSON.stringify(purpose)}; one of: ${[...purposes.keys()].join(', ')}`,
			);
		}
		return entry;
	};

	return {
		ipPolicy: (purpose) => compiled(purpose).ipPolicy,
		route(input, purpose) {
			const entry = compiled(purpose);
			const url = toUrl(input);
			const target = parseTarget(url);
			if (target.ip !== undefined && entry.ipPolicy !== null) {
				const block = entry.ipPolicy(target.ip);
				if (block !== undefined) {
					const derived = block.derivedFrom === undefined ? '' : ` (derived from ${block.derivedFrom})`;
					const reason = `IP literal ${block.address} is in ${block.key} range ${block.range}${derived}`;
					return blockedDecision({ url, purpose, target }, block, reason);
				}
			}
			const proxy = target.protocol === 'https:' ? entry.https : entry.http;
			if (typeof proxy === 'string') return directDecision({ url, purpose, target }, proxy);
			const exempt = noProxy(target);
			if (exempt !== undefined) return directDecision({ url, purpose, target }, noProxyReason(exempt));
			return proxyDecision({ url, purpose, target }, proxy);
		},
	};
}

/** What every decision is about: the hop's URL, purpose and parsed destination. */
interface Hop {
	readonly url: URL;
	readonly purpose: Purpose;
	readonly target: ParsedTarget;
}

// Each builder writes the whole decision as one object literal with the same keys in the same order, so every
// decision shares one hidden class (spreading into literals is slow in V8).

function blockedDecision(hop: Hop, blockedBy: IpBlock, reason: string): BlockedDecision {
	const { url, purpose, target } = hop;
	return {
		url: redactUrl(url),
		purpose,
		route: 'blocked',
		mode: null,
		proxy: null,
		connect: null,
		reason,
		blockedBy,
		target,
	};
}

function directDecision(hop: Hop, reason: string): DirectDecision {
	const { url, purpose, target } = hop;
	return {
		url: redactUrl(url),
		purpose,
		route: 'direct',
		mode: null,
		proxy: null,
		connect: hostPort(target.host, target.port),
		reason,
		blockedBy: undefined,
		target,
	};
}

function proxyDecision(hop: Hop, proxy: ProxyChoice): ProxyDecision {
	const { url, purpose, target } = hop;
	return {
		url: redactUrl(url),
		purpose,
		route: 'proxy',
		mode: target.protocol === 'https:' ? 'tunnel' : 'forward',
		proxy: proxy.endpoint,
		connect: proxy.connect,
		reason: proxy.endpoint.source,
		blockedBy: undefined,
		target,
	};
}

const routers = new WeakMap<Config, Router>();

/** The router of a configuration, compiled on first use and cached per (frozen) config object. */
export function routerFor(config: Config): Router {
	let router = routers.get(config);
	if (router === undefined) routers.set(config, (router = createRouter(config)));
	return router;
}

/** Convenience: `routerFor(config).route(url, purpose)`. */
export function route(config: Config, url: URL | string, purpose: Purpose): RouteDecision {
	return routerFor(config).route(url, purpose);
}
