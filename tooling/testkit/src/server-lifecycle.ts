import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { LoopbackHost } from './loopback.js';

/** Every socket a server accepted (or opened on its behalf) that is still open, so `close()` can end them all. */
export class SocketRegistry {
	readonly #open = new Set<Socket>();
	#accepted = 0;

	/** Number of sockets ever added (for a server: TCP connections accepted). */
	get accepted(): number {
		return this.#accepted;
	}

	/** Tracks `socket` until it closes; returns its 1-based number. */
	add(socket: Socket): number {
		this.#accepted += 1;
		this.#open.add(socket);
		socket.once('close', () => this.#open.delete(socket));
		return this.#accepted;
	}

	/** Tracks a socket without counting it (a TLS socket over an already counted TCP socket, an upstream socket). */
	hold(socket: Socket): void {
		this.#open.add(socket);
		socket.once('close', () => this.#open.delete(socket));
	}

	/** Destroys every open socket. */
	destroyAll(): void {
		for (const socket of this.#open) socket.destroy();
		this.#open.clear();
	}
}

/** Listens on `host`, port 0 (a free port chosen by the kernel), and resolves with the port. */
export function listenOnLoopback(server: Server, host: LoopbackHost): Promise<number> {
	return new Promise((resolve, reject) => {
		const onError = (error: Error): void => reject(error);
		server.once('error', onError);
		server.listen({ host, port: 0, exclusive: true }, () => {
			server.off('error', onError);
			const address = server.address();
			if (address === null || typeof address === 'string') {
				reject(new Error('server has no TCP address after listen'));
				return;
			}
			resolve(address.port);
		});
	});
}

/** Stops accepting, destroys every tracked socket, and resolves once the server is fully closed. */
export function closeServer(server: Server, sockets: SocketRegistry): Promise<void> {
	return new Promise((resolve) => {
		if (!server.listening) {
			sockets.destroyAll();
			resolve();
			return;
		}
		server.close(() => resolve());
		sockets.destroyAll();
	});
}

/**
 * A TCP port that was free on `host` a moment ago (listen on 0, read the port, close). For tools that cannot
 * listen on port 0 themselves, such as Squid; there is a small race, so callers retry on "address in use".
 */
export async function findFreePort(host: LoopbackHost = '127.0.0.1'): Promise<number> {
	const server = createServer();
	const port = await listenOnLoopback(server, host);
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

/** The origin (`scheme://host:port`, IPv6 bracketed) of a loopback server. */
export function loopbackOrigin(scheme: 'http' | 'https', host: LoopbackHost, port: number): string {
	return `${scheme}://${host === '::1' ? '[::1]' : host}:${port}`;
}
