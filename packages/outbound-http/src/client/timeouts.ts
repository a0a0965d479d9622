/**
 * Time limits of one request, in milliseconds. got's timers cover the direct socket and the response; `proxy` covers
 * what got cannot see (TCP and TLS to the proxy, the CONNECT reply), and our tunnel agent applies `secureConnect`
 * to the TLS handshake inside the tunnel.
 */
export interface OutboundTimeouts {
	/** DNS resolution of a direct destination. */
	readonly lookup: number;
	/** TCP connect to a direct destination. */
	readonly connect: number;
	/** TLS handshake with a destination, direct or inside a CONNECT tunnel. */
	readonly secureConnect: number;
	/** Reaching the proxy (TCP, and TLS for an `https://` proxy) and, for https, its answer to CONNECT. */
	readonly proxy: number;
	/** Sending the request body. */
	readonly send: number;
	/** Waiting for the response headers once the request is sent. */
	readonly response: number;
	/** Socket inactivity at any time, which bounds an idle (stalled) body. */
	readonly socket: number;
	/**
	 * The whole request: proxy connect and CONNECT, TLS, headers and body, each redirect hop included (got's
	 * `timeout.request`). Default 10 minutes, so that no request is without a deadline; callers with a tighter budget
	 * (a federation send: 60 s, a `.well-known`: 10 s) set theirs per request. `undefined` removes the limit and is
	 * meant for callers that bound the request themselves (an AbortSignal with their own deadline).
	 */
	readonly request: number | undefined;
}

/**
 * Defaults close to Synapse's: 15 s to connect, 60 s for response headers, 30 s of silence ends a body, 10 minutes
 * for the whole request. A body's minimum rate is separate (`bodyRate`, see body-rate.ts).
 */
export const DEFAULT_TIMEOUTS: OutboundTimeouts = {
	lookup: 10_000,
	connect: 15_000,
	secureConnect: 15_000,
	proxy: 30_000,
	send: 30_000,
	response: 60_000,
	socket: 30_000,
	request: 600_000,
};

/** got's `timeout` option for these limits. */
export function gotTimeouts(timeouts: OutboundTimeouts): Record<string, number> {
	const result: Record<string, number> = {
		lookup: timeouts.lookup,
		connect: timeouts.connect,
		secureConnect: timeouts.secureConnect,
		send: timeouts.send,
		response: timeouts.response,
		socket: timeouts.socket,
	};
	if (timeouts.request !== undefined) result.request = timeouts.request;
	return result;
}
