import type { ProxyEndpoint, Purpose } from '@homeserver/config';
import type { IpBlock } from '../errors/request-errors.js';

/** `proxy`: through the forward proxy; `direct`: our own socket; `blocked`: refused (an IP-literal host). */
export type Route = 'proxy' | 'direct' | 'blocked';

/** How a proxied request travels: `forward` (absolute-form request, http://) or `tunnel` (CONNECT, https://). */
export type ProxyMode = 'forward' | 'tunnel';

/** The destination as the socket layer sees it. */
export interface RouteTarget {
	readonly protocol: 'http:' | 'https:';
	/** Host name (lower case, punycode, no trailing dot) or IP address (canonical, IPv6 without brackets). */
	readonly host: string;
	readonly port: number;
	/** Whether {@link host} is an IP literal. */
	readonly isIp: boolean;
}

/**
 * The route of one request (DESIGN.md 3): decided from configuration, URL and purpose only, without DNS. A `direct`
 * route to a name is checked once more at connection time against the addresses it resolves to.
 */
export interface RouteDecision {
	/** The URL, credentials removed and access tokens redacted (safe to log). */
	readonly url: string;
	readonly purpose: Purpose;
	readonly route: Route;
	/** `forward` or `tunnel` for `proxy`, null otherwise. */
	readonly mode: ProxyMode | null;
	/** The proxy for `proxy`, null otherwise. */
	readonly proxy: ProxyEndpoint | null;
	/** `host:port` of the first socket (proxy or destination, IPv6 bracketed); null when `blocked`. */
	readonly connect: string | null;
	/** Which rule decided, for operators: `no_proxy entry '10.0.0.0/8' (NO_PROXY (environment))`. */
	readonly reason: string;
	/** For `blocked`: the address, range and keys that refused it. */
	readonly blockedBy: IpBlock | undefined;
	readonly target: RouteTarget;
}

/** The JSON shape of `outbound-http route --json` (DESIGN.md 6): the proxy redacted, no internals. */
export interface RouteDecisionJson {
	url: string;
	purpose: Purpose;
	route: Route;
	mode: ProxyMode | null;
	proxy: string | null;
	connect: string | null;
	reason: string;
}

/** Converts a decision into the stable JSON of `outbound-http route --json`. */
export function routeDecisionToJson(decision: RouteDecision): RouteDecisionJson {
	return {
		url: decision.url,
		purpose: decision.purpose,
		route: decision.route,
		mode: decision.mode,
		proxy: decision.proxy === null ? null : decision.proxy.redacted,
		connect: decision.connect,
		reason: decision.reason,
	};
}
