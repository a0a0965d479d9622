import { Agent as HttpAgent } from 'node:http';
import type { ClientRequest, ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';
import { bracketHost, formatHostPort } from '@homeserver/config';
import { ProxyError } from '../errors/proxy-errors.js';
import { OutboundHttpError } from '../errors/outbound-http-error.js';
import { connectionSettler, type ConnectionCallback } from './connection-settler.js';
import { connectToProxy } from './proxy-connection.js';
import type { ProxyTarget } from './proxy-connection.js';
import { agentOptions } from './pool-options.js';
import { PooledHttpAgent } from './pooled-agents.js';
import type { PoolOptions } from './pool-options.js';

/** Settings of a {@link ForwardAgent}. */
export interface ForwardAgentOptions {
	readonly proxy: ProxyTarget;
	/** Deadline for TCP (and TLS) to the proxy, in ms. */
	readonly connectTimeoutMs: number;
	readonly pool: PoolOptions;
}

/** The pool key of every forward request: they all share one keep-alive pool to the proxy. */
const POOL_NAME = 'forward-proxy';

/**
 * An `http.Agent` for plain-http destinations through a proxy (docs/architecture.md 3.6): every socket goes to the proxy
 * (TLS for an `https://` proxy), requests are sent in absolute form (`GET http://host/path HTTP/1.1`), never
 * CONNECT, and all destinations share one keep-alive pool to the proxy. `Proxy-Authorization` is set on the
 * outgoing request only (the caller's header object is not touched), so it never reaches a destination.
 */
export class ForwardAgent extends PooledHttpAgent {
	/** The proxy this agent forwards through. */
	readonly proxyTarget: ProxyTarget;
	readonly #timeoutMs: number;

	constructor(options: ForwardAgentOptions) {
		super(agentOptions(options.pool));
		this.proxyTarget = options.proxy;
		this.#timeoutMs = options.connectTimeoutMs;
	}

	override getName(): string {
		return POOL_NAME;
	}

	/** Rewrites the request line to absolute form and adds the proxy credentials, then queues it on the pool. */
	addRequest(request: ClientRequest, options: ClientRequestArgs): void {
		if ((request as unknown as { _header: unknown })._header) {
			// Headers already serialised (an `Expect` header does that): the request line can no longer be rewritten.
			// Fail it the way Node's own agent reports a socket that could not be created.
			const error = new OutboundHttpError(
				'ERR_REQUEST_FAILED',
				'a request whose headers were sent early (Expect) cannot be forwarded through the http proxy',
			);
			(request as unknown as { onSocket: (socket: undefined, error: Error) => void }).onSocket(
				undefined,
				error,
			);
			return;
		}
		let host = options.host ?? options.hostname ?? 'localhost';
		if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
		const port = Number(options.port ?? 80);
		const authority = port === 80 ? bracketHost(host) : formatHostPort(host, port);
		request.path = `http://${authority}${request.path}`;
		const authorization = this.proxyTarget.endpoint.authorization;
		if (authorization !== undefined) request.setHeader('Proxy-Authorization', authorization);
		(
			HttpAgent.prototype as unknown as { addRequest: (r: ClientRequest, o: ClientRequestArgs) => void }
		).addRequest.call(this, request, options);
	}

	override createConnection(
		_options: ClientRequestArgs,
		callback?: ConnectionCallback,
	): Duplex | null | undefined {
		if (callback === undefined)
			throw new OutboundHttpError('ERR_INTERNAL', 'ForwardAgent creates connections asynchronously');
		const endpoint = this.proxyTarget.endpoint;
		let pending: ReturnType<typeof connectToProxy> | undefined;
		const attempt = connectionSettler(callback, () => pending?.socket);
		const finish = (error: Error | null): void => attempt.settle(error, pending?.socket);
		attempt.deadline(this.#timeoutMs, () => {
			finish(
				new ProxyError(
					'ERR_PROXY_TIMEOUT',
					endpoint.redacted,
					`cannot connect to proxy ${endpoint.redacted} within ${this.#timeoutMs} ms`,
				),
			);
		});
		try {
			pending = connectToProxy(this.proxyTarget);
		} catch (error) {
			finish(error as Error);
			return undefined;
		}
		pending.ready.then(
			() => finish(null),
			(error: unknown) => finish(error as Error),
		);
		return undefined;
	}
}
