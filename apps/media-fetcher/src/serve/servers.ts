/**
 * The listener of `media-fetcher serve`: the media service on `media_fetcher.listen` (Prometheus `/metrics` on
 * `media_fetcher.metrics` is outbound-http's `startMetricsServer`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenConfig } from '@homeserver/config';
import type { MediaHandler } from './media-handler.js';

/** Starts an HTTP server on `listen` (port 0 picks a free one); resolves once it listens. */
export async function listen(handler: MediaHandler, where: ListenConfig): Promise<Server> {
	const server = createServer(handler);
	server.headersTimeout = 30_000;
	server.requestTimeout = 0;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(where.port, where.bindAddress, () => {
			server.off('error', reject);
			resolve();
		});
	});
	return server;
}

/** The port a listening server got (useful with port 0). */
export function portOf(server: Server): number {
	return (server.address() as AddressInfo).port;
}

/** Closes a server, ending idle keep-alive connections. */
export async function closeServer(server: Server): Promise<void> {
	await new Promise<void>((resolve) => {
		server.close(() => resolve());
		server.closeIdleConnections();
	});
}
