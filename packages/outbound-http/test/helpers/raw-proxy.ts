import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import type { ExecutionContext } from 'ava';

/**
 * A misbehaving "proxy" on 127.0.0.1 for cases the testkit proxy does not cover: `onConnection` gets each raw
 * socket (to answer garbage, close, ...). Closed after the test.
 */
export async function rawProxy(t: ExecutionContext, onConnection: (socket: Socket) => void): Promise<number> {
	const sockets = new Set<Socket>();
	const server = createServer((socket) => {
		sockets.add(socket);
		socket.on('error', () => socket.destroy());
		socket.on('close', () => sockets.delete(socket));
		onConnection(socket);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	t.teardown(
		() =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	);
	const address = server.address();
	if (address === null || typeof address === 'string') throw new Error('no port');
	return address.port;
}
