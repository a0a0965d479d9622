/**
 * A TCP relay on a fixed loopback port in front of a proxy whose port changes (a Squid killed and started again
 * gets a new one): clients keep one proxy URL. While paused it does not listen at all (connection refused), and
 * pausing drops every relayed connection, as the death of the proxy behind it would.
 */
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

/** A running relay. */
export interface TcpRelay {
	readonly port: number;
	/** Client connections relayed so far (proof that clients really went through). */
	readonly connections: number;
	/** Stops listening and drops every connection. */
	pause(): Promise<void>;
	/** Listens again on the same port, relaying to `upstreamPort` on 127.0.0.1. */
	resume(upstreamPort: number): Promise<void>;
	close(): Promise<void>;
}

/** Starts a relay to `upstreamPort` on a free port of 127.0.0.1. */
export async function startTcpRelay(upstreamPort: number): Promise<TcpRelay> {
	let upstream = upstreamPort;
	let connections = 0;
	const sockets = new Set<Socket>();
	const track = (socket: Socket): void => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
		socket.on('error', () => socket.destroy());
	};
	const server: Server = createServer((client) => {
		connections += 1;
		track(client);
		const far = connect({ host: '127.0.0.1', port: upstream });
		track(far);
		client.pipe(far).pipe(client);
		client.once('close', () => far.destroy());
		far.once('close', () => client.destroy());
	});
	const listen = (port: number): Promise<void> =>
		new Promise((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, '127.0.0.1', () => {
				server.off('error', reject);
				resolve();
			});
		});
	await listen(0);
	const address = server.address();
	const port = typeof address === 'object' && address !== null ? address.port : 0;
	const stop = (): Promise<void> =>
		new Promise((resolve) => {
			for (const socket of sockets) socket.destroy();
			if (!server.listening) return resolve();
			server.close(() => resolve());
		});
	return {
		port,
		get connections() {
			return connections;
		},
		pause: stop,
		resume: async (next) => {
			upstream = next;
			await listen(port);
		},
		close: stop,
	};
}
