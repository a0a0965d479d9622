import type { RequestOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { ProxyEndpoint } from '@homeserver/config';
import { OutboundHttpError } from '../errors/outbound-http-error.js';
import { ProxyError } from '../errors/proxy-errors.js';
import { RequestTimeoutError } from '../errors/request-errors.js';
import { formatHostPort } from '@homeserver/config';
import { connectHandshake } from './connect-handshake.js';
import { connectionSettler, type ConnectionCallback } from './connection-settler.js';
import { connectToProxy, describe } from './proxy-connection.js';
import type { ProxyTarget } from './proxy-connection.js';
import { agentOptions } from './pool-options.js';
import { PooledHttpsAgent } from './pooled-agents.js';
import type { PoolOptions } from './pool-options.js';

/** Settings of a {@link TunnelAgent}. */
export interface TunnelAgentOptions {
	readonly proxy: ProxyTarget;
	/** Deadline for proxy connect + TLS to the proxy + the CONNECT reply, in ms. */
	readonly handshakeTimeoutMs: number;
	/** Deadline for the TLS handshake with the destination inside the tunnel, in ms (got's `secureConnect`). */
	readonly secureConnectTimeoutMs: number;
	readonly userAgent: string | undefined;
	readonly pool: PoolOptions;
}

/** Whether a TLS error inside the tunnel means the tunnel itself ended (FIN or reset) before the handshake was done. */
function tunnelClosed(error: Error): boolean {
	const code = (error as NodeJS.ErrnoException).code;
	return code === 'ECONNRESET' || code === 'EPIPE';
}

/**
 * ERR_PROXY_PROTOCOL for a tunnel that ended after the proxy's 2xx reply, before TLS with the destination completed:
 * the 2xx promised a usable tunnel. Through the tunnel, a proxy closing it and a destination closing the connection
 * look the same, so the message says both.
 */
function closedAfterReply(endpoint: ProxyEndpoint, authority: string, error: Error): ProxyError {
	return new ProxyError(
		'ERR_PROXY_PROTOCOL',
		endpoint.redacted,
		`proxy ${endpoint.redacted} closed the tunnel to ${authority} right after its 2xx reply to CONNECT, before TLS ` +
			`with the destination completed (the proxy, or the destination behind it, ended the connection): ` +
			describe(error),
		{ cause: error },
	);
}

/**
 * An `https.Agent` whose sockets are TLS sessions with the destination inside a CONNECT tunnel through the proxy
 * (docs/architecture.md 3.6). Pooled per destination by Node's agent (host, port, TLS options, SNI): one tunnel carries many
 * requests. The CONNECT target is bracketed for IPv6 and sent with a `Host` header; `Proxy-Authorization` goes only
 * on the CONNECT; any 2xx opens the tunnel; every failure is a typed error; reaching the proxy and its CONNECT
 * reply share one deadline, the TLS handshake with the destination has its own. An `https://` proxy gives
 * TLS-in-TLS.
 */
export class TunnelAgent extends PooledHttpsAgent {
	/** The proxy this agent tunnels through. */
	readonly proxyTarget: ProxyTarget;
	readonly #timeoutMs: number;
	readonly #secureConnectTimeoutMs: number;
	readonly #userAgent: string | undefined;

	constructor(options: TunnelAgentOptions) {
		super(agentOptions(options.pool), options.proxy.tls);
		this.proxyTarget = options.proxy;
		this.#timeoutMs = options.handshakeTimeoutMs;
		this.#secureConnectTimeoutMs = options.secureConnectTimeoutMs;
		this.#userAgent = options.userAgent;
	}

	override createConnection(
		options: RequestOptions,
		callback?: ConnectionCallback,
	): Duplex | null | undefined {
		if (callback === undefined)
			throw new OutboundHttpError('ERR_INTERNAL', 'TunnelAgent creates connections asynchronously');
		const host = options.host ?? options.hostname ?? 'localhost';
		const bare = host.startsWith('[') ? host.slice(1, -1) : host;
		const authority = formatHostPort(bare, Number(options.port ?? 443));
		const endpoint = this.proxyTarget.endpoint;
		let current: Socket | TLSSocket | undefined;
		let phase: 'proxy' | 'tls' = 'proxy';
		const attempt = connectionSettler(callback, () => current);
		const finish = (error: Error | null, socket?: TLSSocket): void => attempt.settle(error, socket);
		const expire = (): void =>
			finish(
				phase === 'proxy'
					? new ProxyError(
							'ERR_PROXY_TIMEOUT',
							endpoint.redacted,
							`proxy ${endpoint.redacted} did not open a tunnel to ${authority} within ${this.#timeoutMs} ms`,
						)
					: new RequestTimeoutError(`https://${authority}`, 'secureConnect', undefined, {
							proxy: endpoint.redacted,
							detail: `TLS with the destination inside the tunnel did not complete within ${this.#secureConnectTimeoutMs} ms`,
						}),
			);
		attempt.deadline(this.#timeoutMs, expire);
		const open = async (): Promise<TLSSocket> => {
			const pending = connectToProxy(this.proxyTarget);
			current = pending.socket;
			await pending.ready;
			await connectHandshake(pending.socket, { proxy: endpoint, authority, userAgent: this.#userAgent });
			if (attempt.settled) throw new OutboundHttpError('ERR_ABORTED', 'tunnel no longer wanted');
			phase = 'tls';
			attempt.deadline(this.#secureConnectTimeoutMs, expire);
			const tunnel = pending.socket;
			// https.Agent#createConnection is tls.connect with its session cache (the pooled base drops the idle
			// `timeout` and adds the profile's TLS context); it may throw on bad options.
			const secure = super.createConnection({ ...options, socket: tunnel } as RequestOptions) as TLSSocket;
			current = secure;
			secure.once('close', () => tunnel.destroy());
			await new Promise<void>((resolve, reject) => {
				const onError = (error: Error): void => {
					secure.off('secureConnect', onSecure);
					reject(tunnelClosed(error) ? closedAfterReply(endpoint, authority, error) : error);
				};
				const onSecure = (): void => {
					secure.off('error', onError);
					resolve();
				};
				secure.once('secureConnect', onSecure);
				secure.once('error', onError);
			});
			return secure;
		};
		open().then(
			(socket) => finish(null, socket),
			(error: unknown) => finish(error instanceof Error ? error : new Error(String(error))),
		);
		return undefined;
	}
}
