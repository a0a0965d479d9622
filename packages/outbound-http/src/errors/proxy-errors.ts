import { OutboundHttpError } from './outbound-http-error.js';

/** The proxy-hop failures that carry no more than the proxy they concern. */
export type ProxyErrorCode =
	'ERR_PROXY_UNREACHABLE' | 'ERR_PROXY_TIMEOUT' | 'ERR_PROXY_TLS' | 'ERR_PROXY_PROTOCOL';

/**
 * A failure on the way to or at the forward proxy, before the destination was reached: the proxy could not be
 * connected to, took too long, failed TLS, or answered something that is not HTTP.
 */
export class ProxyError extends OutboundHttpError {
	/** The proxy URL, password redacted. */
	readonly proxy: string;

	constructor(code: ProxyErrorCode, proxy: string, message: string, options?: { cause?: unknown }) {
		super(code, message, options);
		this.proxy = proxy;
	}
}

/** The proxy answered the CONNECT request with 407: it wants (other) credentials. */
export class ProxyAuthRequiredError extends OutboundHttpError {
	readonly proxy: string;
	/** The realm from `Proxy-Authenticate`, or null when the proxy sent none. */
	readonly realm: string | null;
	readonly statusCode = 407;

	constructor(proxy: string, realm: string | null, message: string) {
		super('ERR_PROXY_AUTH_REQUIRED', message);
		this.proxy = proxy;
		this.realm = realm;
	}
}

/** The proxy answered the CONNECT request with a non-2xx status other than 407. */
export class ProxyRefusedError extends OutboundHttpError {
	readonly proxy: string;
	readonly statusCode: number;
	/** The reason phrase, control characters removed. */
	readonly statusText: string;

	constructor(proxy: string, statusCode: number, statusText: string, message: string) {
		super('ERR_PROXY_REFUSED', message);
		this.proxy = proxy;
		this.statusCode = statusCode;
		this.statusText = statusText;
	}
}
