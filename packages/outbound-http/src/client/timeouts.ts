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
	/** The whole request, redirects and retries included; undefined for no overall limit (large downloads). */
	readonly request: number | undefined;
}

/** Defaults close to Synapse's: 15 s to connect, 60 s for response headers, 30 s of silence ends a body. */
export const DEFAULT_TIMEOUTS: OutboundTimeouts = {
	lookup: 10_000,
	connect: 15_000,
	secureConnect: 15_000,
	proxy: 30_000,
	send: 30_000,
	response: 60_000,
	socket: 30_000,
	request: undefined,
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
