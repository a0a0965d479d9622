/**
 * A destination that misbehaves on purpose, chosen by the request path, written on raw sockets so that it can do
 * what an HTTP server library would not: `/reset` (RST before answering), `/reset-mid-body`, `/drip?ms=N` (one body
 * byte every N ms, forever), `/short` (announces 100 bytes, sends 50, closes), `/long` (announces 10 bytes, sends
 * them plus a second, smuggled response), `/big?bytes=N` (announces and streams N bytes), `/ok`. Plain TCP or TLS.
 */
import { createServer as createNetServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { TlsMaterial } from '@homeserver/testkit';

/** A running faulty destination. */
export interface FaultyDestination {
	readonly port: number;
	/** Request heads received (request line and every header), in order. */
	readonly requests: string[];
	close(): Promise<void>;
}

const SMUGGLED = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nevil!';

function head(length: number | undefined): string {
	const size = length === undefined ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`;
	return `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n${size}\r\n\r\n`;
}

function answer(socket: Socket, path: string, timers: Set<NodeJS.Timeout>, reset: () => void): void {
	const url = new URL(path, 'http://x');
	switch (url.pathname) {
		case '/reset':
			reset();
			return;
		case '/reset-mid-body':
			socket.write(head(100_000) + 'x'.repeat(1000), reset);
			return;
		case '/drip': {
			socket.write(head(1_000_000));
			const timer = setInterval(() => socket.write('.'), Number(url.searchParams.get('ms') ?? 1000));
			timers.add(timer);
			socket.once('close', () => clearInterval(timer));
			return;
		}
		case '/short':
			socket.end(head(100) + 'y'.repeat(50));
			return;
		case '/long':
			socket.write(head(10) + 'z'.repeat(10) + SMUGGLED);
			return;
		case '/big': {
			const bytes = Number(url.searchParams.get('bytes') ?? 0);
			socket.write(head(bytes));
			const block = Buffer.alloc(16_384, 0x61);
			let left = bytes;
			const pump = (): void => {
				while (left > 0) {
					const piece = block.subarray(0, Math.min(left, block.length));
					left -= piece.length;
					if (!socket.write(piece)) return void socket.once('drain', pump);
				}
			};
			pump();
			return;
		}
		default:
			socket.write(head(2) + 'ok');
	}
}

/** Starts a faulty destination on 127.0.0.1 (TLS when `tls` is given). Keep-alive: several requests per socket. */
export async function startFaultyDestination(tls?: TlsMaterial): Promise<FaultyDestination> {
	const sockets = new Set<Socket>();
	const timers = new Set<NodeJS.Timeout>();
	const requests: string[] = [];
	/** The TCP socket under each TLS one, by client port: an RST must go on the TCP socket. */
	const raw = new Map<number, Socket>();
	const onSocket = (socket: Socket): void => {
		const tcp = raw.get(socket.remotePort ?? 0) ?? socket;
		const reset = (): void => void tcp.resetAndDestroy();
		sockets.add(socket);
		socket.on('error', () => socket.destroy());
		socket.once('close', () => sockets.delete(socket));
		let buffered = '';
		socket.on('data', (chunk: Buffer) => {
			buffered += chunk.toString('latin1');
			for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
				const line = buffered.slice(0, buffered.indexOf('\r\n'));
				requests.push(buffered.slice(0, end));
				buffered = buffered.slice(end + 4);
				answer(socket, line.split(' ')[1] ?? '/', timers, reset);
			}
		});
	};
	const server: Server =
		tls === undefined
			? createNetServer(onSocket)
			: createTlsServer({ cert: tls.certPem, key: tls.keyPem }, onSocket);
	if (tls !== undefined) {
		server.on('connection', (socket: Socket) => {
			const port = socket.remotePort ?? 0;
			raw.set(port, socket);
			socket.once('close', () => raw.delete(port));
		});
	}
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	return {
		port: typeof address === 'object' && address !== null ? address.port : 0,
		requests,
		close: () =>
			new Promise((resolve) => {
				for (const timer of timers) clearInterval(timer);
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}
