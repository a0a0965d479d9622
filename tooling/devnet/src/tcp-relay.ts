/**
 * A transparent, dual-stack loopback TCP relay: listens on one port on both 127.0.0.1 and ::1 and pipes every
 * connection to a target port on 127.0.0.1. TLS passes through untouched.
 *
 * Why: peers are named `localhost:<port>`, the one name that resolves everywhere without DNS, but resolvers
 * disagree on which address it means (Squid's hosts file answers ::1 first, the in-process proxy and Node
 * 127.0.0.1), and the testkit's servers listen on one address only. Also, the remote homeserver must know its
 * server name (`localhost:<relay port>`) before it picks its own port.
 */
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

/** A running relay. */
export interface TcpRelay {
	readonly port: number;
	/** Whether it also listens on ::1 (false on hosts without IPv6 loopback). */
	readonly ipv6: boolean;
	/** Points connections at `port` on 127.0.0.1 (connections arriving earlier wait for it). */
	setTarget(port: number): void;
	close(): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<number> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen({ host, port, exclusive: true, ipv6Only: host === '::1' }, () => {
			server.off('error', reject);
			const address = server.address();
			if (address === null || typeof address === 'string') reject(new Error('relay has no TCP address'));
			else resolve(address.port);
		});
	});
}

function closeServer(server: Server): Promise<void> {
	return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}

/** Starts a relay (free port chosen by the kernel, then the same port on ::1); `target` may be set later. */
export async function startTcpRelay(target?: number): Promise<TcpRelay> {
	const sockets = new Set<Socket>();
	const track = (socket: Socket): void => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
	};
	let setTarget: (port: number) => void = () => undefined;
	const targetPort = new Promise<number>((resolve) => (setTarget = resolve));
	if (target !== undefined) setTarget(target);
	const onConnection = (client: Socket): void => {
		track(client);
		client.pause();
		client.once('error', () => client.destroy());
		void targetPort.then((port) => {
			const upstream = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
			track(upstream);
			// Half-closes travel through the pipes (allowHalfOpen); a socket fully closed or failed ends both.
			const end = (): void => {
				client.destroy();
				upstream.destroy();
			};
			upstream.once('error', end);
			client.once('close', end);
			upstream.once('close', end);
			client.pipe(upstream).pipe(client);
			client.resume();
		});
	};
	for (let attempt = 1; ; attempt += 1) {
		const v4 = createServer({ allowHalfOpen: true }, onConnection);
		const port = await listen(v4, '127.0.0.1', 0);
		const v6 = createServer({ allowHalfOpen: true }, onConnection);
		const ipv6 = await listen(v6, '::1', port).then(
			() => true,
			(error: NodeJS.ErrnoException) => {
				if (error.code === 'EADDRINUSE' && attempt < 5) return undefined;
				return false;
			},
		);
		if (ipv6 === undefined) {
			await closeServer(v4);
			continue;
		}
		return {
			port,
			ipv6,
			setTarget: (value) => setTarget(value),
			close: async () => {
				const closed = Promise.all([closeServer(v4), closeServer(v6)]);
				for (const socket of sockets) socket.destroy();
				await closed;
			},
		};
	}
}
