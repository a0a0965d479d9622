import { connect as netConnect, isIP } from 'node:net';
import type { LookupFunction, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ProxyEndpoint } from '@homeserver/config';
import { ProxyError } from '../errors/proxy-errors.js';
import type { TlsProfile } from './tls-profile.js';

/** How to reach one proxy: the endpoint, the TLS checks for an `https://` proxy, and the resolver to use. */
export interface ProxyTarget {
	readonly endpoint: ProxyEndpoint;
	readonly tls: TlsProfile;
	/** Resolver for the proxy's own name; never the IP-policy-guarded one (the proxy's address is not checked). */
	readonly lookup: LookupFunction | undefined;
}

/** A socket being opened to a proxy; `ready` settles when it can carry HTTP (after TLS for `https://` proxies). */
export interface PendingProxySocket {
	readonly socket: Socket;
	readonly ready: Promise<void>;
}

/** An error as `CODE: message` for our messages (Node messages carry no credentials). */
export function describe(error: unknown): string {
	if (error instanceof Error) {
		const code = (error as NodeJS.ErrnoException).code;
		return code === undefined || error.message.includes(code) ? error.message : `${code}: ${error.message}`;
	}
	return String(error);
}

/**
 * Opens TCP (and TLS, for an `https://` proxy, verified against the proxy's host name with SNI unless it is an IP)
 * to the proxy. Failures are typed: ERR_PROXY_UNREACHABLE before TCP connects, ERR_PROXY_TLS during the TLS
 * handshake (with the hint naming the setting to check); throws ERR_PROXY_TLS synchronously when the TLS options
 * are unusable. No timer here: the caller owns the deadline.
 */
export function connectToProxy(target: ProxyTarget): PendingProxySocket {
	const { endpoint, tls } = target;
	// No Nagle: HTTP writes small request heads and waits for the reply (Node's own agents do the same).
	const common = { host: endpoint.host, port: endpoint.port, lookup: target.lookup, noDelay: true };
	let socket: Socket;
	try {
		socket =
			endpoint.protocol === 'https:'
				? tlsConnect({
						...common,
						servername: isIP(endpoint.host) === 0 ? endpoint.host : undefined,
						rejectUnauthorized: tls.rejectUnauthorized,
						secureContext: tls.secureContext(),
						ALPNProtocols: ['http/1.1'],
					})
				: netConnect(common);
	} catch (error) {
		// Bad TLS options throw synchronously; report them instead of hanging (hpagent#113).
		throw new ProxyError(
			'ERR_PROXY_TLS',
			endpoint.redacted,
			`cannot start TLS to proxy ${endpoint.redacted}: ${describe(error)}`,
			{ cause: error },
		);
	}
	socket.setNoDelay(true);
	const ready = new Promise<void>((resolve, reject) => {
		let tcpConnected = false;
		const onConnect = (): void => {
			tcpConnected = true;
			if (endpoint.protocol === 'http:') done();
		};
		const onSecure = (): void => done();
		const onError = (error: Error): void => {
			cleanup();
			if (!tcpConnected) {
				reject(
					new ProxyError(
						'ERR_PROXY_UNREACHABLE',
						endpoint.redacted,
						`cannot connect to proxy ${endpoint.redacted} (${endpoint.source}): ${describe(error)}`,
						{ cause: error },
					),
				);
				return;
			}
			reject(
				new ProxyError(
					'ERR_PROXY_TLS',
					endpoint.redacted,
					`TLS to proxy ${endpoint.redacted} failed: ${describe(error)}. Check the proxy's certificate: it must be ` +
						`valid for "${endpoint.host}" and ${tls.hint}`,
					{ cause: error },
				),
			);
		};
		const onClose = (): void => onError(new Error('connection closed during the TLS handshake'));
		const cleanup = (): void => {
			socket.off('connect', onConnect);
			socket.off('secureConnect', onSecure);
			socket.off('error', onError);
			socket.off('close', onClose);
		};
		const done = (): void => {
			cleanup();
			resolve();
		};
		socket.once('connect', onConnect);
		socket.once('secureConnect', onSecure);
		socket.once('error', onError);
		socket.once('close', onClose);
	});
	return { socket, ready };
}
