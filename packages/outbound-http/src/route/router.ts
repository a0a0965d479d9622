import type { Config, NoProxyEntry, ProxyEndpoint, Purpose, PurposePolicy } from '@homeserver/config';
import { OutboundHttpError } from '../errors/outbound-http-error.js';
import { FederationDeniedError } from '../errors/request-errors.js';
import { redactUrl } from '../redact-url.js';
import { compileFederationWhitelist } from './federation-whitelist.js';
import { compileIpPolicy } from './ip-policy-matcher.js';
import type { IpPolicyMatcher } from './ip-policy-matcher.js';
import { compileNoProxy } from './no-proxy-matcher.js';
import { compileProxyRules, proxyChoice } from './proxy-rules-matcher.js';
import type { ProxyChoice, ProxyRulesMatcher, RuleCache } from './proxy-rules-matcher.js';
import type { FederationDenial, IpBlock } from '../errors/request-errors.js';
import type {
	DirectDecision,
	FederationDeniedDecision,
	IpBlockedDecision,
	ProxyDecision,
	RouteDecision,
} from './route-decision.js';
import { hostPort, parseTarget, toUrl } from './route-target.js';
import type { ParsedTarget } from './route-target.js';

/** Decides routes for one configuration. */
export interface Router {
	/**
	 * The route of a request to `url` for `purpose` (docs/architecture.md 3): pure, no DNS. Throws ERR_INVALID_URL,
	 * ERR_UNSUPPORTED_PROTOCOL or ERR_UNKNOWN_PURPOSE; a refused IP literal, or a federation destination that
	 * `federation_domain_whitelist` does not list, is a `blocked` decision, not a throw. `serverName`: the Matrix
	 * server name a federation hop is for (the federation client passes it, as the URL names the resolved target);
	 * without it the URL's host (or `host:port`) is taken as the server name.
	 */
	route(url: URL | string, purpose: Purpose, serverName?: string): RouteDecision;
	/**
	 * Throws ERR_FEDERATION_DENIED ({@link FederationDeniedError}) when `federation_domain_whitelist` is set and does
	 * not list `serverName`; callers check before any I/O (the federation client before resolving).
	 */
	assertFederationAllowed(serverName: string): void;
	/** The compiled IP policy of a purpose, or null when it has none (used at connection time). */
	ipPolicy(purpose: Purpose): IpPolicyMatcher | null;
}

interface CompiledPurpose {
	readonly policy: PurposePolicy;
	readonly ipPolicy: IpPolicyMatcher | null;
	/** The proxy per destination protocol, or a reason why there is none. */
	readonly http: ProxyChoice | string;
	readonly https: ProxyChoice | string;
	/** The `outbound_proxy_rules` of this purpose; undefined when none applies or the purpose is not proxied. */
	readonly rules: ProxyRulesMatcher | undefined;
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
	return proxyChoice(endpoint);
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
	const whitelist = compileFederationWhitelist(config.federationDomainWhitelist);
	const compiledRules: RuleCache = new Map();
	const purposes = new Map<string, CompiledPurpose>();
	for (const [purpose, policy] of Object.entries(config.purposes) as [Purpose, PurposePolicy][]) {
		purposes.set(purpose, {
			policy,
			ipPolicy: policy.ipPolicy === null ? null : compileIpPolicy(policy.ipPolicy),
			http: proxyFor(purpose, policy, config.proxy.http, 'http_proxy'),
			https: proxyFor(purpose, policy, config.proxy.https, 'https_proxy'),
			// A purpose that may not use a proxy ignores the rules (docs/architecture.md 3.1).
			rules: policy.proxied ? compileProxyRules(config.proxy.rules, purpose, compiledRules) : undefined,
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
		assertFederationAllowed(serverName) {
			const denial = whitelist?.(serverName);
			if (denial !== undefined) throw new FederationDeniedError(denial.serverName);
		},
		route(input, purpose, serverName) {
			const entry = compiled(purpose);
			const url = toUrl(input);
			const target = parseTarget(url);
			if (whitelist !== undefined && purpose === 'federation') {
				const denial = deniedServer(whitelist, url, serverName);
				if (denial !== undefined) {
					const reason = `server name ${JSON.stringify(denial.serverName)} is not in federation_domain_whitelist`;
					return deniedDecision({ url, purpose, target }, denial, reason);
				}
			}
			if (target.ip !== undefined && entry.ipPolicy !== null) {
				const block = entry.ipPolicy(target.ip);
				if (block !== undefined) {
					const derived = block.derivedFrom === undefined ? '' : ` (derived from ${block.derivedFrom})`;
					const reason = `IP literal ${block.address} is in ${block.key} range ${block.range}${derived}`;
					return blockedDecision({ url, purpose, target }, block, reason);
				}
			}
			if (entry.rules !== undefined) {
				const hit = entry.rules(target);
				if (hit !== undefined) {
					return hit.proxy === null
						? directDecision({ url, purpose, target }, hit.reason)
						: proxyDecision({ url, purpose, target }, hit.proxy, hit.reason);
				}
			}
			const proxy = target.protocol === 'https:' ? entry.https : entry.http;
			if (typeof proxy === 'string') return directDecision({ url, purpose, target }, proxy);
			const exempt = noProxy(target);
			if (exempt !== undefined) return directDecision({ url, purpose, target }, noProxyReason(exempt));
			return proxyDecision({ url, purpose, target }, proxy, proxy.endpoint.source);
		},
	};
}

/**
 * The whitelist's refusal of a federation hop: the given server name, else the URL's host, which passes when
 * either the host alone or `host:port` (as `URL.host` writes it) is listed.
 */
function deniedServer(
	whitelist: (name: string) => FederationDenial | undefined,
	url: URL,
	serverName: string | undefined,
): FederationDenial | undefined {
	if (serverName !== undefined) return whitelist(serverName);
	const byHost = whitelist(url.hostname);
	if (byHost === undefined || url.host === url.hostname) return byHost;
	return whitelist(url.host) === undefined ? undefined : byHost;
}

/** What every decision is about: the hop's URL, purpose and parsed destination. */
interface Hop {
	readonly url: URL;
	readonly purpose: Purpose;
	readonly target: ParsedTarget;
}

// Each builder writes the whole decision as one object literal with the same keys in the same order, so every
// decision shares one hidden class (spreading into literals is slow in V8).

function blockedDecision(hop: Hop, blockedBy: IpBlock, reason: string): IpBlockedDecision {
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
		deniedBy: undefined,
		target,
	};
}

function deniedDecision(hop: Hop, deniedBy: FederationDenial, reason: string): FederationDeniedDecision {
	const { url, purpose, target } = hop;
	return {
		url: redactUrl(url),
		purpose,
		route: 'blocked',
		mode: null,
		proxy: null,
		connect: null,
		reason,
		blockedBy: undefined,
		deniedBy,
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
		deniedBy: undefined,
		target,
	};
}

function proxyDecision(hop: Hop, proxy: ProxyChoice, reason: string): ProxyDecision {
	const { url, purpose, target } = hop;
	return {
		url: redactUrl(url),
		purpose,
		route: 'proxy',
		mode: target.protocol === 'https:' ? 'tunnel' : 'forward',
		proxy: proxy.endpoint,
		connect: proxy.connect,
		reason,
		blockedBy: undefined,
		deniedBy: undefined,
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
export function route(
	config: Config,
	url: URL | string,
	purpose: Purpose,
	serverName?: string,
): RouteDecision {
	return routerFor(config).route(url, purpose, serverName);
}
