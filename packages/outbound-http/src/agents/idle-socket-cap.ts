import type { Agent } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Caps the idle keep-alive sockets of one agent across all its destinations: when a socket goes idle and the
 * agent already holds `max` idle sockets, the least recently used idle socket (of any destination) is closed.
 * Node's own limits are per destination (`maxFreeSockets`), and its `maxTotalSockets` does not evict idle sockets
 * of other destinations: a request to a new destination waits until one expires. With thousands of destinations
 * seen once each, this keeps memory and descriptors bounded while busy destinations keep their warm sockets.
 */
export function capIdleSockets(agent: Agent, max: number): void {
	if (!Number.isFinite(max)) return;
	// Insertion order is recency: the first key is the least recently freed idle socket.
	const idle = new Map<Socket, true>();
	const watched = new WeakSet<Socket>();
	const free = agent.freeSockets;
	const getName = (options: object): string => agent.getName(options);
	// Registered after Node's own 'free' listener, so the socket is already pooled (or reassigned, or destroyed).
	agent.on('free', (socket: Socket, options: object) => {
		if (socket.destroyed || free[getName(options)]?.includes(socket) !== true) return;
		if (!watched.has(socket)) {
			watched.add(socket);
			socket.once('close', () => idle.delete(socket));
		}
		idle.delete(socket);
		idle.set(socket, true);
		while (idle.size > max) {
			const oldest = idle.keys().next().value;
			if (oldest === undefined) break;
			idle.delete(oldest);
			// Node's close handler removes it from the agent's free lists.
			oldest.destroy();
		}
	});
	const reuse = agent.reuseSocket.bind(agent);
	agent.reuseSocket = (socket, request): void => {
		idle.delete(socket as Socket);
		reuse(socket, request);
	};
}
