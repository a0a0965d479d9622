/**
 * Remotes that are slow on purpose, for the slow-federation part of the suite, each counting the connections it
 * holds open (so a test can check that nothing is left behind):
 * - a `.well-known` server that drips the answer one byte at a time for the names it is told to, and answers the
 *   others at once (a delegation, or 404);
 * - a TCP black hole: accepts and never answers (an SRV target that never answers; a TLS handshake that never ends);
 * - a TLS server that completes the handshake, reads the request and never sends headers.
 * All on 127.0.0.1, on ports the system picks.
 */
import { createServer as createHttpsServer } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { TlsMaterial } from '@homeserver/testkit';

/** A running slow remote. */
export interface SlowRemote {
	readonly port: number;
	/** Connections accepted so far. */
	readonly accepted: number;
	/** Connections open right now. */
	readonly open: number;
	close(): Promise<void>;
}

function track(server: Server | HttpsServer, event: 'connection' | 'secureConnection' = 'connection') {
	const sockets = new Set<Socket>();
	let accepted = 0;
	server.on(event, (socket: Socket) => {
		accepted++;
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
		socket.on('error', () => undefined);
	});
	return {
		get accepted() {
			return accepted;
		},
		get open() {
			return sockets.size;
		},
		destroyAll() {
			for (const socket of sockets) socket.destroy();
		},
	};
}

async function listen(server: Server | HttpsServer): Promise<number> {
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	return (server.address() as AddressInfo).port;
}

function remote(server: Server | HttpsServer, port: number, sockets: ReturnType<typeof track>): SlowRemote {
	return {
		port,
		get accepted() {
			return sockets.accepted;
		},
		get open() {
			return sockets.open;
		},
		close: () =>
			new Promise<void>((resolve) => {
				sockets.destroyAll();
				server.close(() => resolve());
			}),
	};
}

/** What the `.well-known` server answers for one host name. */
export type WellKnownBehaviour =
	{ readonly drip: true } | { readonly delegate: string } | { readonly status: 404 };

/**
 * A `.well-known/matrix/server` server: per `Host` name, a drip (headers, then one space every `dripMs` for ever: a
 * body that never ends, slow enough to pass any idle timer), a delegation, or 404 (names it does not know too).
 */
export async function startWellKnownServer(
	tls: TlsMaterial,
	behaviour: (host: string) => WellKnownBehaviour | undefined,
	dripMs = 200,
): Promise<SlowRemote & { readonly dripping: number }> {
	let dripping = 0;
	const server = createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, (request, response) => {
		const host = (request.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
		const answer = request.url === '/.well-known/matrix/server' ? behaviour(host) : undefined;
		if (answer === undefined || 'status' in answer) {
			response.writeHead(404, { 'content-type': 'application/json' }).end('{}');
			return;
		}
		if ('delegate' in answer) {
			response
				.writeHead(200, { 'content-type': 'application/json' })
				.end(JSON.stringify({ 'm.server': answer.delegate }));
			return;
		}
		dripping++;
		response.writeHead(200, { 'content-type': 'application/json' });
		response.write('{');
		const timer = setInterval(() => response.write(' '), dripMs);
		response.once('close', () => {
			clearInterval(timer);
			dripping--;
		});
	});
	const sockets = track(server, 'secureConnection');
	const port = await listen(server);
	return Object.assign(remote(server, port, sockets), {
		get dripping() {
			return dripping;
		},
	});
}

/** Accepts TCP connections and never sends a byte (a TLS handshake there never completes). */
export async function startBlackHole(): Promise<SlowRemote> {
	const server = createTcpServer((socket) => socket.resume());
	const sockets = track(server);
	return remote(server, await listen(server), sockets);
}

/** Completes TLS, reads the request, and never answers (headers never sent). */
export async function startSilentTlsServer(tls: TlsMaterial): Promise<SlowRemote> {
	const server = createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, (request) => {
		request.resume();
	});
	server.headersTimeout = 0;
	server.requestTimeout = 0;
	const sockets = track(server, 'secureConnection');
	return remote(server, await listen(server), sockets);
}
