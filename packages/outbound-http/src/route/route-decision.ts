import type { ProxyEndpoint, Purpose } from '@homeserver/config';
import { FederationDeniedError, IpBlockedError } from '../errors/request-errors.js';
import type { FederationDenial, IpBlock } from '../errors/request-errors.js';

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
	/**
	 * Which rule decided, for operators: `no_proxy entry '10.0.0.0/8' (NO_PROXY (environment))`,
	 * `outbound_proxy_rules[1] entry 'partner.example'`, `... not in federation_domain_whitelist`.
	 */
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
	readonly deniedBy: undefined;
}

/** Our own socket to the destination; a name is checked against the IP policy at connection time. */
export interface DirectDecision extends DecisionBase {
	readonly route: 'direct';
	readonly mode: null;
	readonly proxy: null;
	/** `host:port` of the destination (IPv6 bracketed): the first socket. */
	readonly connect: string;
	readonly blockedBy: undefined;
	readonly deniedBy: undefined;
}

/** What every refusal carries. */
interface BlockedBase extends DecisionBase {
	readonly route: 'blocked';
	readonly mode: null;
	readonly proxy: null;
	readonly connect: null;
}

/** Refused by the IP policy: an IP-literal host in the purpose's blocklist. */
export interface IpBlockedDecision extends BlockedBase {
	/** The address, range and keys that refused it. */
	readonly blockedBy: IpBlock;
	readonly deniedBy: undefined;
}

/** Refused by `federation_domain_whitelist`: a federation destination whose server name it does not list. */
export interface FederationDeniedDecision extends BlockedBase {
	readonly blockedBy: undefined;
	/** The server name and the key that refused it. */
	readonly deniedBy: FederationDenial;
}

/** Refused before any I/O: by the IP policy (`blockedBy`) or by `federation_domain_whitelist` (`deniedBy`). */
export type BlockedDecision = IpBlockedDecision | FederationDeniedDecision;

/**
 * The route of one request (docs/architecture.md 3): decided from configuration, URL and purpose only, without
 * DNS. Discriminated on `route`; the fields that do not apply to a variant are null (undefined for `blockedBy` and
 * `deniedBy`),
 * so the `route --json` shape is the same for all three. A `direct` route to a name is checked once more at
 * connection time against the addresses it resolves to.
 */
export type RouteDecision = ProxyDecision | DirectDecision | BlockedDecision;

/** A decision a request may go ahead with. */
export type RoutableDecision = ProxyDecision | DirectDecision;

/**
 * Throws the decision's error when it is `blocked` (ERR_IP_BLOCKED, {@link IpBlockedError}, or
 * ERR_FEDERATION_DENIED, {@link FederationDeniedError}); narrows it otherwise.
 */
export function assertRoutable(decision: RouteDecision): asserts decision is RoutableDecision {
	if (decision.route !== 'blocked') return;
	if (decision.deniedBy !== undefined) throw new FederationDeniedError(decision.deniedBy.serverName);
	throw new IpBlockedError(decision.target.host, decision.blockedBy);
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
