/** The `/metrics` listener (node:http), bound where `federation_sender.metrics` says (loopback by default). */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';

/** A running metrics listener. */
export interface MetricsServer {
	/** The bound address (port 0 in the configuration picks a free one). */
	readonly address: AddressInfo;
	close(): Promise<void>;
}

/** Serves `GET /metrics` from `registry`; anything else is a 404. */
export async function startMetricsServer(
	registry: Registry,
	listen: { readonly bindAddress: string; readonly port: number },
	logger: Logger,
): Promise<MetricsServer> {
	const server = createServer((request, response) => {
		const path = (request.url ?? '').split('?')[0];
		if (request.method !== 'GET' || path !== '/metrics') {
			response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
			return;
		}
		registry.metrics().then(
			(text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
			(error: unknown) => {
				logger.error({ err: error }, 'metrics collection failed');
				response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
			},
		);
	});
	server.requestTimeout = 10_000;
	server.headersTimeout = 5_000;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(listen.port, listen.bindAddress, () => {
			server.off('error', reject);
			resolve();
		});
	});
	return {
		address: server.address() as AddressInfo,
		close: () =>
			new Promise((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
