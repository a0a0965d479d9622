import type { IncomingHttpHeaders } from 'node:http';

/**
 * How the in-process proxy ended a request: forwarded it (absolute-form), opened a tunnel (CONNECT), or which
 * refusal it answered. `pending` while the answer is not decided yet (e.g. a stalled destination).
 */
export type ProxyOutcome =
	| 'pending'
	| 'forwarded'
	| 'tunnel'
	| 'auth-required'
	| 'connect-status'
	| 'stalled'
	| 'bad-request'
	| 'unresolved'
	| 'refused'
	| 'upstream-error';

/** One request the proxy saw, recorded on arrival and completed as it is answered. */
export interface ProxyLogEntry {
	readonly method: string;
	/** The raw request-target: `http://host:port/path` (absolute-form) or `host:port` / `[v6]:port` (CONNECT). */
	readonly target: string;
	/** Request headers as received, lower-cased, including `host` and `proxy-authorization`. */
	readonly headers: IncomingHttpHeaders;
	readonly rawHeaders: readonly string[];
	/** Whether the client spoke TLS to the proxy (an `https://` proxy). */
	readonly tls: boolean;
	/** 1-based number of the client connection (TCP for http proxies, TLS for https ones): equal means reused. */
	readonly connection: number;
	/** The user whose Basic credentials the proxy accepted; absent without auth or when refused. */
	authorizedUser?: string;
	/** Status the proxy answered with (the destination's status for forwarded requests); absent while pending. */
	status?: number;
	outcome: ProxyOutcome;
}

/** A destination the proxy refused to connect to because it is not a loopback address. */
export interface RefusedDestination {
	readonly method: string;
	readonly target: string;
	/** The non-loopback address (a literal in the request, or what the lookup returned). */
	readonly address: string;
}
