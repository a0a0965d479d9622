import { createServer as createHttpServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TlsMaterial } from './certificate-authority.js';
import type { LoopbackHost } from './loopback.js';
import { closeServer, listenOnLoopback, loopbackOrigin, SocketRegistry } from './server-lifecycle.js';

/** What a destination server saw of one request. */
export interface RecordedRequest {
	readonly method: string;
	/** The request-target as received (origin-form: `/path?query`). */
	readonly url: string;
	/** Headers, lower-cased (Node's `IncomingMessage#headers`): a test checks `proxy-authorization` never arrives. */
	readonly headers: IncomingHttpHeaders;
	readonly rawHeaders: readonly string[];
	/** TLS only: the SNI name the client sent, or undefined (no SNI, e.g. an IP-literal host, or plain http). */
	readonly servername: string | undefined;
	readonly remoteAddress: string | undefined;
	/** 1-based number of the TCP connection it came on: equal numbers mean a reused keep-alive connection. */
	readonly connection: number;
}

/**
 * Answers a request; may return a promise (its value is ignored). A thrown error or rejection becomes a 500 (or a
 * reset if the headers are already sent).
 */
export type RequestHandler = (
	request: IncomingMessage,
	response: ServerResponse,
	recorded: RecordedRequest,
) => unknown;

/** Options of {@link startHttpServer} and {@link startHttpsServer}. */
export interface DestinationServerOptions {
	/** Address to listen on. Default `127.0.0.1`. */
	readonly host?: LoopbackHost;
}

/** A running destination server. */
export interface DestinationServer {
	/** Origin, e.g. `https://127.0.0.1:41234` (IPv6 bracketed). */
	readonly url: string;
	readonly host: LoopbackHost;
	readonly port: number;
	/** Every request received, in order of arrival. */
	readonly requests: RecordedRequest[];
	/** Connections so far: TCP connections accepted (http), TLS handshakes completed (https). */
	readonly connections: number;
	/** Stops listening, destroys every connection, resolves when all is closed. */
	close(): Promise<void>;
}

const defaultHandler: RequestHandler = (_request, response) => {
	response.writeHead(200, { 'content-type': 'text/plain' });
	response.end('ok');
};

async function start(
	server: Server,
	scheme: 'http' | 'https',
	handler: RequestHandler,
	options: DestinationServerOptions,
): Promise<DestinationServer> {
	const host = options.host ?? '127.0.0.1';
	const sockets = new SocketRegistry();
	const requests: RecordedRequest[] = [];
	const connectionNumbers = new WeakMap<object, number>();
	// Count TCP connections for http, completed TLS handshakes for https (the request's socket is the TLS one).
	if (scheme === 'http') {
		server.on('connection', (socket: Socket) => connectionNumbers.set(socket, sockets.add(socket)));
	} else {
		server.on('connection', (socket: Socket) => sockets.hold(socket));
		server.on('secureConnection', (socket: TLSSocket) => connectionNumbers.set(socket, sockets.add(socket)));
	}
	server.on('request', (request: IncomingMessage, response: ServerResponse) => {
		const socket = request.socket as TLSSocket;
		const servername =
			scheme === 'https' && typeof socket.servername === 'string' ? socket.servername : undefined;
		const recorded: RecordedRequest = {
			method: request.method ?? '',
			url: request.url ?? '',
			headers: request.headers,
			rawHeaders: request.rawHeaders,
			servername,
			remoteAddress: socket.remoteAddress,
			connection: connectionNumbers.get(socket) ?? 0,
		};
		requests.push(recorded);
		Promise.resolve()
			.then(() => handler(request, response, recorded))
			.catch((error: unknown) => {
				if (response.headersSent) response.destroy(error instanceof Error ? error : undefined);
				else response.writeHead(500, { 'content-type': 'text/plain' }).end('handler failed');
			});
	});
	const port = await listenOnLoopback(server, host);
	return {
		url: loopbackOrigin(scheme, host, port),
		host,
		port,
		requests,
		get connections() {
			return sockets.accepted;
		},
		close: () => closeServer(server, sockets),
	};
}

/** Starts a plain-http destination server on a free loopback port; default handler answers 200 `ok`. */
export function startHttpServer(
	handler: RequestHandler = defaultHandler,
	options: DestinationServerOptions = {},
): Promise<DestinationServer> {
	return start(createHttpServer(), 'http', handler, options);
}

/**
 * Starts an https destination server with the given certificate (issue it from a test CA for the names the client
 * will verify), recording the SNI name of each request.
 */
export function startHttpsServer(
	tls: TlsMaterial,
	handler: RequestHandler = defaultHandler,
	options: DestinationServerOptions = {},
): Promise<DestinationServer> {
	return start(createHttpsServer({ cert: tls.certPem, key: tls.keyPem }), 'https', handler, options);
}
