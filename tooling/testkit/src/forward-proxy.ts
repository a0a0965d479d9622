import { Agent, createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import type { LookupFunction, Socket } from 'node:net';
import type { TlsMaterial } from './certificate-authority.js';
import { TestkitError } from './errors.js';
import type { LoopbackHost } from './loopback.js';
import type { ProxyAuthOptions } from './proxy-auth.js';
import { validateProxyAuth } from './proxy-auth.js';
import { ProxyContext } from './proxy-context.js';
import { forwardAbsoluteForm } from './proxy-forward.js';
import type { ProxyLogEntry, RefusedDestination } from './proxy-log.js';
import { openTunnel } from './proxy-tunnel.js';
import { closeServer, listenOnLoopback, loopbackOrigin, SocketRegistry } from './server-lifecycle.js';

/** Options of {@link startForwardProxy}; every behaviour is off by default (a plain, open, loopback-only proxy). */
export interface ForwardProxyOptions {
	/** Address to listen on. Default `127.0.0.1`. */
	readonly host?: LoopbackHost;
	/** Makes it an `https://` proxy (TLS from the client to the proxy) with this certificate. */
	readonly tls?: TlsMaterial;
	/** Demands Basic credentials; missing or wrong ones get a 407 with `Proxy-Authenticate: Basic realm="..."`. */
	readonly auth?: ProxyAuthOptions;
	/**
	 * Status to answer every CONNECT with. A non-2xx status (403, 502, ...) refuses the tunnel; a 2xx other than 200
	 * (e.g. 201, valid per RFC 9110) opens the tunnel but says so with that status.
	 */
	readonly connectStatus?: number;
	/** Accepts TCP connections and never answers anything (not even a TLS handshake): for connect/TLS timeouts. */
	readonly stallAfterAccept?: boolean;
	/** Answers CONNECT with 200 and then never forwards a byte: for TLS-handshake-through-tunnel timeouts. */
	readonly stallAfterConnect?: boolean;
	/**
	 * How the proxy itself resolves destination names (e.g. `loopbackLookup({'test.com': '127.0.0.1'})`). Without
	 * it only IP literals and `localhost` are reachable. Whatever it answers, non-loopback addresses are refused
	 * with a 502 and recorded in {@link ForwardProxy.refused}.
	 */
	readonly lookup?: LookupFunction;
}

/** A running in-process forward proxy and what it saw. */
export interface ForwardProxy {
	/** `http://127.0.0.1:PORT` or `https://...` (IPv6 bracketed), without credentials. */
	readonly url: string;
	readonly host: LoopbackHost;
	readonly port: number;
	/** Every request seen (absolute-form and CONNECT), in order of arrival. */
	readonly log: ProxyLogEntry[];
	/** Non-loopback destinations refused (the proxy never connects to them). */
	readonly refused: RefusedDestination[];
	/** Client connections accepted (TCP for http proxies, completed TLS handshakes for https ones). */
	readonly connections: number;
	/** CONNECT requests received. */
	readonly connects: number;
	/** Tunnels actually established (a tunnel reused by keep-alive counts once). */
	readonly tunnels: number;
	/** Stops listening, destroys every client, tunnel and upstream socket, resolves when all is closed. */
	close(): Promise<void>;
}

function validate(options: ForwardProxyOptions): void {
	if (options.auth !== undefined) validateProxyAuth(options.auth);
	const status = options.connectStatus;
	if (status !== undefined && (!Number.isInteger(status) || status < 100 || status > 599)) {
		throw new TestkitError(
			'ERR_TESTKIT_INVALID_OPTION',
			`connectStatus must be an HTTP status, got ${status}`,
		);
	}
}

async function startStalling(host: LoopbackHost, scheme: 'http' | 'https'): Promise<ForwardProxy> {
	const sockets = new SocketRegistry();
	const server = createNetServer((socket) => {
		sockets.add(socket);
		socket.on('error', () => socket.destroy());
	});
	const port = await listenOnLoopback(server, host);
	return {
		url: loopbackOrigin(scheme, host, port),
		host,
		port,
		log: [],
		refused: [],
		get connections() {
			return sockets.accepted;
		},
		connects: 0,
		tunnels: 0,
		close: () => closeServer(server, sockets),
	};
}

/**
 * Starts an in-process forward proxy on a free loopback port: absolute-form forwarding for `http://` targets and
 * CONNECT tunnels, optionally over TLS and with Basic auth, with switchable failure modes. It records every request
 * (headers included) so tests can assert what went on the wire, and it connects to loopback addresses only.
 */
export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
	validate(options);
	const host = options.host ?? '127.0.0.1';
	const scheme = options.tls === undefined ? 'http' : 'https';
	if (options.stallAfterAccept === true) return startStalling(host, scheme);

	const sockets = new SocketRegistry();
	const connectionNumbers = new WeakMap<object, number>();
	const server: Server =
		options.tls === undefined
			? createHttpServer()
			: createHttpsServer({ cert: options.tls.certPem, key: options.tls.keyPem });
	const counted = scheme === 'http' ? 'connection' : 'secureConnection';
	if (scheme === 'https') server.on('connection', (socket: Socket) => sockets.hold(socket));
	server.on(counted, (socket: Socket) => connectionNumbers.set(socket, sockets.add(socket)));

	const agent = new Agent({ keepAlive: true });
	const context = new ProxyContext(
		sockets,
		agent,
		(request: IncomingMessage) => connectionNumbers.get(request.socket) ?? 0,
		{
			tls: scheme === 'https',
			auth: options.auth,
			connectStatus: options.connectStatus,
			stallAfterConnect: options.stallAfterConnect === true,
			lookup: options.lookup,
		},
	);
	server.on('request', (request, response) => {
		forwardAbsoluteForm(context, request, response).catch(() => response.destroy());
	});
	server.on('connect', (request: IncomingMessage, socket: Socket, head: Buffer) => {
		openTunnel(context, request, socket, head).catch(() => socket.destroy());
	});
	const port = await listenOnLoopback(server, host);
	return {
		url: loopbackOrigin(scheme, host, port),
		host,
		port,
		log: context.log,
		refused: context.refused,
		get connections() {
			return sockets.accepted;
		},
		get connects() {
			return context.connects;
		},
		get tunnels() {
			return context.tunnels;
		},
		close: async () => {
			agent.destroy();
			await closeServer(server, sockets);
		},
	};
}
