/**
 * A hostile media remote for slow-remote tests: a TLS server on loopback that answers every request in one of
 * three slow ways, so that tests can check that a few such remotes cannot hold a media fetcher's download slots:
 * - `body`: a Synapse-shaped `multipart/mixed` head, then the file one byte per `dripMs`, never finished;
 * - `preamble`: the status line and headers, then the multipart preamble itself one byte per `dripMs`;
 * - `silent`: reads the request and never sends a status line.
 * It counts requests and open connections (a test asserts they go back to 0) and stops every timer on close.
 */
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { TlsMaterial } from './certificate-authority.js';
import { assertLoopbackAddress } from './loopback.js';

/** How a {@link SlowMediaRemote} answers. */
export type SlowMediaMode = 'body' | 'preamble' | 'silent';

/** Options of {@link startSlowMediaRemote}. */
export interface SlowMediaRemoteOptions {
	readonly mode: SlowMediaMode;
	/** The server certificate (its names must cover the server name the client uses). */
	readonly tls: TlsMaterial;
	/** Milliseconds between two bytes. Default 250. */
	readonly dripMs?: number;
	/** Loopback address to listen on. Default 127.0.0.1. */
	readonly host?: string;
}

/** A running slow remote. */
export interface SlowMediaRemote {
	readonly port: number;
	readonly mode: SlowMediaMode;
	/** Requests received so far. */
	readonly requests: number;
	/** TLS connections open now. */
	openConnections(): number;
	/** Destroys every connection, stops every drip and closes the server. */
	close(): Promise<void>;
}

const BOUNDARY = 'd1a2b3c4d5e6f708';
const HEAD = Buffer.from(
	`\r\n--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{}\r\n` +
		`--${BOUNDARY}\r\nContent-Type: application/octet-stream\r\n\r\n`,
);

/** Starts a slow remote; resolves once it listens on a free port. */
export async function startSlowMediaRemote(options: SlowMediaRemoteOptions): Promise<SlowMediaRemote> {
	const host = options.host ?? '127.0.0.1';
	assertLoopbackAddress(host, 'SlowMediaRemote host');
	const dripMs = options.dripMs ?? 250;
	const sockets = new Set<Socket>();
	const timers = new Set<NodeJS.Timeout>();
	let requests = 0;
	const server: Server = createServer(
		{ key: options.tls.keyPem, cert: options.tls.certPem },
		(request, response) => {
			requests++;
			request.resume();
			if (options.mode === 'silent') return;
			response.writeHead(200, { 'content-type': `multipart/mixed; boundary=${BOUNDARY}` });
			response.flushHeaders();
			let sent = 0;
			if (options.mode === 'body') response.write(HEAD);
			const timer = setInterval(() => {
				const byte =
					options.mode === 'preamble'
						? HEAD.subarray(sent % HEAD.length, (sent % HEAD.length) + 1)
						: Buffer.from('x');
				sent++;
				response.write(byte);
			}, dripMs);
			timers.add(timer);
			response.once('close', () => {
				clearInterval(timer);
				timers.delete(timer);
			});
		},
	);
	server.on('secureConnection', (socket: Socket) => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
	});
	server.on('tlsClientError', () => undefined);
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const address = server.address();
	const port = typeof address === 'object' && address !== null ? address.port : 0;
	return {
		port,
		mode: options.mode,
		get requests() {
			return requests;
		},
		openConnections: () => sockets.size,
		async close() {
			for (const timer of timers) clearInterval(timer);
			timers.clear();
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
