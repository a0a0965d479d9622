import { OutboundHttpError } from './outbound-http-error.js';

/** What refused an address: the range that matched and the configuration key an operator would change. */
export interface IpBlock {
	/** The refused address, canonical text form. */
	readonly address: string;
	/** The matching blocklist range, e.g. `10.0.0.0/8`. */
	readonly range: string;
	/** For a derived IPv6 form (mapped, compatible, 6to4, NAT64) the IPv4 range it was derived from. */
	readonly derivedFrom: string | undefined;
	/** The blocklist key, e.g. `ip_range_blacklist`. */
	readonly key: string;
	/** The allowlist key that would let it through, e.g. `ip_range_whitelist`. */
	readonly allowlistKey: string;
}

/**
 * The destination address is in the purpose's IP blocklist and not in its allowlist (SSRF protection): an IP
 * literal in the URL (or a redirect), or one of the addresses a name resolved to.
 */
export class IpBlockedError extends OutboundHttpError {
	/** The URL host (name or literal) that led to the address. */
	readonly host: string;
	readonly address: string;
	readonly range: string;
	readonly key: string;
	readonly block: IpBlock;

	constructor(host: string, block: IpBlock) {
		const derived = block.derivedFrom === undefined ? '' : ` (derived from ${block.derivedFrom})`;
		const via = host === block.address ? '' : ` (resolved from ${host})`;
		super(
			'ERR_IP_BLOCKED',
			`address ${block.address}${via} is blocked: it is in ${block.key} range ${block.range}${derived}; ` +
				`add it to ${block.allowlistKey} to allow it`,
		);
		this.host = host;
		this.address = block.address;
		this.range = block.range;
		this.key = block.key;
		this.block = block;
	}
}

/** The response body is larger than the cap (`maxBytes`); the transfer was aborted without buffering the rest. */
export class ResponseTooLargeError extends OutboundHttpError {
	readonly limit: number;
	/** Bytes received (or announced by Content-Length) when the cap was hit. */
	readonly received: number;

	constructor(url: string, limit: number, received: number, announced: boolean) {
		super(
			'ERR_RESPONSE_TOO_LARGE',
			announced
				? `response from ${url} announces ${received} bytes, more than the limit of ${limit}`
				: `response from ${url} exceeded the limit of ${limit} bytes`,
		);
		this.limit = limit;
		this.received = received;
	}
}

/** The destination answered with a status got treats as an error (non-2xx after redirects). */
export class HttpStatusError extends OutboundHttpError {
	readonly statusCode: number;
	readonly url: string;
	/** The got response (body already read); non-enumerable so logging the error does not dump it. */
	declare readonly response: unknown;

	constructor(url: string, statusCode: number, statusText: string, response: unknown, cause: unknown) {
		super('ERR_HTTP_STATUS', `${url} answered ${statusCode} ${statusText}`.trimEnd(), { cause });
		this.statusCode = statusCode;
		this.url = url;
		Object.defineProperty(this, 'response', { value: response, enumerable: false });
	}
}

/** For a timeout inside a CONNECT tunnel: the proxy it went through, and what did not complete in time. */
export interface TimeoutVia {
	/** The proxy URL, password redacted. */
	readonly proxy: string;
	readonly detail: string;
}

/**
 * A phase of the request took longer than its timeout (got's timers: lookup, connect, response, socket, ...; ours
 * for the TLS handshake inside a tunnel, whose message then names the proxy).
 */
export class RequestTimeoutError extends OutboundHttpError {
	/** The phase that timed out: `lookup`, `connect`, `secureConnect`, `send`, `response`, `socket`, `request`. */
	readonly phase: string;
	/** The proxy (password redacted) of the tunnel the phase ran in, or undefined. */
	readonly proxy: string | undefined;

	constructor(url: string, phase: string, cause: unknown, via?: TimeoutVia) {
		super(
			'ERR_TIMEOUT',
			via === undefined
				? `request to ${url} timed out (${phase})`
				: `request to ${url} through proxy ${via.proxy} timed out (${phase}): ${via.detail}`,
			{ cause },
		);
		this.phase = phase;
		this.proxy = via?.proxy;
	}
}
