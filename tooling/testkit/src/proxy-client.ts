import { request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingHttpHeaders, RequestOptions } from 'node:http';
import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { TestkitError } from './errors.js';

/**
 * How to reach a proxy with the independent test client (used to check the testkit's servers themselves, and handy
 * for demos; product code goes through `@homeserver/outbound-http`).
 */
export interface ProxyClientOptions {
	/** `http://host:port` or `https://host:port` (TLS to the proxy). Credentials in the URL are ignored. */
	readonly proxyUrl: string;
	/** Sent as `Proxy-Authorization: Basic ...`. */
	readonly proxyAuth?: { readonly username: string; readonly password: string };
	/** CA certificate(s) trusted for TLS to an https proxy. */
	readonly ca?: string | readonly string[];
	/** Extra request headers. */
	readonly headers?: Readonly<Record<string, string>>;
	/** Gives up (destroying the request) after this long. Default 5000 ms. */
	readonly timeoutMs?: number;
}

/** A proxy's (or destination's, through the proxy) answer. */
export interface ProxyClientResponse {
	readonly statusCode: number;
	readonly headers: IncomingHttpHeaders;
	readonly body: string;
}

/** The answer to a CONNECT; `socket` is the open tunnel when the status is 2xx (the caller must destroy it). */
export interface TunnelResponse {
	readonly statusCode: number;
	readonly headers: IncomingHttpHeaders;
	readonly socket: Socket | undefined;
}

const maxBody = 1024 * 1024;

function proxyRequestOptions(
	options: ProxyClientOptions,
	method: string,
	path: string,
	host: string,
): RequestOptions {
	const proxy = new URL(options.proxyUrl);
	const hostname = proxy.hostname.replace(/^\[|\]$/g, '');
	const port = Number(proxy.port || (proxy.protocol === 'https:' ? 443 : 80));
	const headers: Record<string, string> = { host, ...options.headers };
	if (options.proxyAuth !== undefined) {
		const { username, password } = options.proxyAuth;
		headers['proxy-authorization'] = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
	}
	const request: RequestOptions = {
		host: hostname,
		port,
		method,
		path,
		headers,
		timeout: options.timeoutMs ?? 5000,
	};
	if (proxy.protocol === 'https:') {
		// Our own TLS socket: an https agent would take the name to verify from the Host header (the destination),
		// not from the proxy URL. SNI only for names (an IP-literal SNI is not allowed).
		request.createConnection = () =>
			tlsConnect({
				host: hostname,
				port,
				...(options.ca === undefined ? {} : { ca: options.ca as string | string[] }),
				...(isIP(hostname) === 0 ? { servername: hostname } : {}),
			});
	} else {
		request.agent = false;
	}
	return request;
}

function send(options: ProxyClientOptions, request: RequestOptions): ClientRequest {
	const client = httpRequest(request);
	client.on('timeout', () =>
		client.destroy(
			new TestkitError('ERR_TESTKIT_TIMEOUT', `no answer from proxy ${options.proxyUrl} in time`),
		),
	);
	return client;
}

/**
 * Sends one absolute-form request (`GET http://host/path`) through a proxy and reads the whole answer (capped at
 * 1 MiB). Only for `http://` URLs: https goes through {@link connectViaProxy}.
 */
export function requestViaProxy(
	url: string,
	options: ProxyClientOptions,
	method = 'GET',
): Promise<ProxyClientResponse> {
	const target = new URL(url);
	return new Promise((resolve, reject) => {
		const client = send(options, proxyRequestOptions(options, method, target.href, target.host));
		client.on('error', reject);
		client.on('response', (response) => {
			const chunks: Buffer[] = [];
			let size = 0;
			response.on('data', (chunk: Buffer) => {
				size += chunk.length;
				if (size > maxBody) client.destroy(new Error('response body over 1 MiB'));
				else chunks.push(chunk);
			});
			response.on('error', reject);
			response.on('end', () =>
				resolve({
					statusCode: response.statusCode ?? 0,
					headers: response.headers,
					body: Buffer.concat(chunks).toString('utf8'),
				}),
			);
		});
		client.end();
	});
}

/**
 * Sends `CONNECT authority` (e.g. `test.com:8448`, `[::1]:443`) with a matching `Host` header and resolves with the
 * proxy's answer; on 2xx the tunnel socket is handed over (wrap it with `tls.connect({ socket })`).
 */
export function connectViaProxy(authority: string, options: ProxyClientOptions): Promise<TunnelResponse> {
	return new Promise((resolve, reject) => {
		const client = send(options, proxyRequestOptions(options, 'CONNECT', authority, authority));
		client.on('error', reject);
		client.on(
			'connect',
			(response: { statusCode?: number; headers: IncomingHttpHeaders }, socket: Socket, head: Buffer) => {
				const statusCode = response.statusCode ?? 0;
				client.setTimeout(0);
				if (statusCode >= 200 && statusCode < 300) {
					if (head.length > 0) socket.unshift(head);
					resolve({ statusCode, headers: response.headers, socket });
				} else {
					socket.destroy();
					resolve({ statusCode, headers: response.headers, socket: undefined });
				}
			},
		);
		client.end();
	});
}
