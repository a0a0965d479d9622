/**
 * The one `/metrics` listener of the apps (docs/architecture.md 7): `GET /metrics` in the Prometheus text format
 * from a `prom-client` registry (outbound-http's counters and the app's own), on the address the configuration
 * gives (`*.metrics`, loopback by default). It lives beside {@link createOutboundMetrics} because every app that
 * exposes metrics has outbound counters.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** A running metrics listener. */
export interface MetricsServer {
	/** The bound address (port 0 in the configuration picks a free one). */
	readonly address: AddressInfo;
	/** Stops listening and ends every connection (idle or not); resolves once closed. */
	close(): Promise<void>;
}

/** Where a failed collection is reported (a pino logger fits). */
export interface MetricsServerLogger {
	error(object: { err: unknown }, message: string): void;
}

/**
 * Serves `GET /metrics` from `registry`; anything else is a 404. A request has 5 s to send its headers and 10 s
 * in all; a failed collection is logged and answered 500. Resolves once listening.
 */
export async function startMetricsServer(
	registry: Registry,
	listen: { readonly bindAddress: string; readonly port: number },
	logger: MetricsServerLogger,
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
