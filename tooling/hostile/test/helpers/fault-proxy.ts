/**
 * A CONNECT proxy on loopback whose behaviour a test switches at any time: tunnel (to a mapped loopback port, so a
 * name on port 443 or 8448 can reach a test server), refuse with a status, never answer, stall after its 200, close
 * right after it, or cut the tunnel after N bytes from the destination. Basic auth with the suite's credentials.
 * It never connects beyond 127.0.0.1.
 */
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { PROXY_PASSWORD, PROXY_USER } from './secrets.js';

/** What the proxy does with one CONNECT. */
export type FaultBehaviour =
	| { readonly kind: 'tunnel' }
	| { readonly kind: 'status'; readonly status: number }
	| { readonly kind: 'silent' }
	| { readonly kind: 'stall' }
	| { readonly kind: 'close-after-200' }
	| { readonly kind: 'cut'; readonly afterBytes: number };

/** One CONNECT the proxy received. */
export interface FaultProxyEntry {
	readonly target: string;
	readonly authorized: boolean;
	readonly behaviour: FaultBehaviour['kind'] | 'auth' | 'unmapped';
}

/** A running fault proxy. */
export interface FaultProxy {
	readonly url: string;
	readonly port: number;
	readonly log: FaultProxyEntry[];
	/** Decides each CONNECT's fate (default: tunnel). */
	behaviour: (target: string, index: number) => FaultBehaviour;
	/** Maps `host:port` authorities to a loopback port (127.0.0.1); unmapped names get a 502. */
	map(authority: string, port: number): void;
	close(): Promise<void>;
}

const EXPECTED = `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`;

function answer(socket: Socket, status: number, reason: string, extra = ''): void {
	socket.end(`HTTP/1.1 ${status} ${reason}\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`);
}

/** Starts a fault proxy on a free port of 127.0.0.1. */
export async function startFaultProxy(): Promise<FaultProxy> {
	const sockets = new Set<Socket>();
	const mapping = new Map<string, number>();
	const log: FaultProxyEntry[] = [];
	const server = createServer((_request, response) => response.writeHead(405).end());
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
	});
	const proxy: FaultProxy = {
		url: '',
		port: 0,
		log,
		behaviour: () => ({ kind: 'tunnel' }),
		map: (authority, port) => mapping.set(authority.toLowerCase(), port),
		close: () =>
			new Promise((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
	server.on('connect', (request: IncomingMessage, socket: Socket, head: Buffer) => {
		socket.on('error', () => socket.destroy());
		const target = (request.url ?? '').toLowerCase();
		const authorized = request.headers['proxy-authorization'] === EXPECTED;
		if (!authorized) {
			log.push({ target, authorized, behaviour: 'auth' });
			answer(socket, 407, 'Proxy Authentication Required', 'Proxy-Authenticate: Basic realm="hostile"\r\n');
			return;
		}
		const behaviour = proxy.behaviour(target, log.length);
		const port = /^127\.0\.0\.1:\d+$/.test(target) ? Number(target.split(':')[1]) : mapping.get(target);
		if (behaviour.kind === 'tunnel' && port === undefined) {
			log.push({ target, authorized, behaviour: 'unmapped' });
			answer(socket, 502, 'Bad Gateway');
			return;
		}
		log.push({ target, authorized, behaviour: behaviour.kind });
		if (behaviour.kind === 'status') return answer(socket, behaviour.status, 'Refused By Test');
		if (behaviour.kind === 'silent') return;
		if (behaviour.kind === 'stall' || behaviour.kind === 'close-after-200') {
			socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
			if (behaviour.kind === 'close-after-200') socket.end();
			return;
		}
		const upstream = connect({ host: '127.0.0.1', port: port ?? 0 });
		sockets.add(upstream);
		upstream.once('close', () => {
			sockets.delete(upstream);
			socket.destroy();
		});
		upstream.on('error', () => socket.destroy());
		socket.once('close', () => upstream.destroy());
		upstream.once('connect', () => {
			socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
			if (head.length > 0) upstream.write(head);
			socket.pipe(upstream);
			if (behaviour.kind !== 'cut') {
				upstream.pipe(socket);
				return;
			}
			let sent = 0;
			upstream.on('data', (chunk: Buffer) => {
				sent += chunk.length;
				if (sent > behaviour.afterBytes) {
					socket.write(chunk.subarray(0, chunk.length - (sent - behaviour.afterBytes)));
					socket.destroy();
					upstream.destroy();
				} else {
					socket.write(chunk);
				}
			});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	const port = typeof address === 'object' && address !== null ? address.port : 0;
	return Object.assign(proxy, { url: `http://127.0.0.1:${port}`, port });
}
