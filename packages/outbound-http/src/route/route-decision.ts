import type { ProxyEndpoint, Purpose } from '@homeserver/config';
import { IpBlockedError } from '../errors/request-errors.js';
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

/** What every decision carries. */
interface DecisionBase {
	/** The URL, credentials removed and access tokens redacted (safe to log). */
	readonly url: string;
	readonly purpose: Purpose;
	/** Which rule decided, for operators: `no_proxy entry '10.0.0.0/8' (NO_PROXY (environment))`. */
	readonly reason: string;
	readonly target: RouteTarget;
}

/** Through the forward proxy. */
export interface ProxyDecision extends DecisionBase {
	readonly route: 'proxy';
	readonly mode: ProxyMode;
	readonly proxy: ProxyEndpoint;
	/** `host:port` of the proxy (IPv6 bracketed): the first socket. */
	readonly connect: string;
	readonly blockedBy: undefined;
}

/** Our own socket to the destination; a name is checked against the IP policy at connection time. */
export interface DirectDecision extends DecisionBase {
	readonly route: 'direct';
	readonly mode: null;
	readonly proxy: null;
	/** `host:port` of the destination (IPv6 bracketed): the first socket. */
	readonly connect: string;
	readonly blockedBy: undefined;
}

/** Refused: an IP-literal host in the purpose's blocklist. */
export interface BlockedDecision extends DecisionBase {
	readonly route: 'blocked';
	readonly mode: null;
	readonly proxy: null;
	readonly connect: null;
	/** The address, range and keys that refused it. */
	readonly blockedBy: IpBlock;
}

/**
 * The route of one request (docs/architecture.md 3): decided from configuration, URL and purpose only, without
 * DNS. Discriminated on `route`; the fields that do not apply to a variant are null (undefined for `blockedBy`),
 * so the `route --json` shape is the same for all three. A `direct` route to a name is checked once more at
 * connection time against the addresses it resolves to.
 */
export type RouteDecision = ProxyDecision | DirectDecision | BlockedDecision;

/** A decision a request may go ahead with. */
export type RoutableDecision = ProxyDecision | DirectDecision;

/** Throws the decision's ERR_IP_BLOCKED ({@link IpBlockedError}) when it is `blocked`; narrows it otherwise. */
export function assertRoutable(decision: RouteDecision): asserts decision is RoutableDecision {
	if (decision.route === 'blocked') throw new IpBlockedError(decision.target.host, decision.blockedBy);
}

/** The JSON shape of `outbound-http route --json` (docs/architecture.md 6): the proxy redacted, no internals. */
export interface RouteDecisionJson {
	url: string;
	purpose: Purpose;
	route: Route;
	mode: ProxyMode | null;
	proxy: string | null;
	connect: string | null;
	reason: string;
}

/** Converts a decision into the stable JSON of `outbound-http route --json` (also the debug log line's fields). */
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
