// Small independent clients used by the testkit's own tests (plain node:http/https/tls, no project code).
import { Agent, request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { connectViaProxy } from '../../src/index.js';
import type { ProxyClientOptions } from '../../src/index.js';

export interface SimpleResponse {
	statusCode: number;
	headers: IncomingHttpHeaders;
	body: string;
}

/** Wraps a socket (e.g. a tunnel) in TLS, verifying the peer against `ca` and `servername`. */
export function startTls(socket: Socket, servername: string, ca: string): Promise<TLSSocket> {
	return new Promise((resolve, reject) => {
		const tls = tlsConnect({ socket, servername, ca }, () => resolve(tls));
		tls.once('error', reject);
	});
}

/** Sends one GET over an already connected (possibly TLS) socket with the given Host header. */
export function getOverSocket(socket: Socket, host: string, path = '/'): Promise<SimpleResponse> {
	return new Promise((resolve, reject) => {
		// No `agent`: only then does node:http use `createConnection` (and never resolves `host`).
		const client = request({ createConnection: () => socket, path, headers: { host } });
		client.on('error', reject);
		client.on('response', (response) => {
			let body = '';
			response.setEncoding('utf8');
			response.on('data', (chunk: string) => (body += chunk));
			response.on('end', () =>
				resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body }),
			);
		});
		client.end();
	});
}

/**
 * A keep-alive agent whose every new connection is a CONNECT tunnel through the proxy, then TLS to `servername`:
 * several requests through it reuse one tunnel.
 */
export function tunnellingAgent(
	proxy: ProxyClientOptions,
	authority: string,
	servername: string,
	ca: string,
): Agent {
	const agent = new Agent({ keepAlive: true, maxSockets: 1 });
	(agent as unknown as { createConnection: unknown }).createConnection = (
		_options: unknown,
		callback: (error: Error | null, socket?: Socket) => void,
	) => {
		connectViaProxy(authority, proxy)
			.then(async (answer) => {
				if (answer.socket === undefined) throw new Error(`CONNECT answered ${answer.statusCode}`);
				callback(null, await startTls(answer.socket, servername, ca));
			})
			.catch((error: Error) => callback(error));
		return undefined;
	};
	return agent;
}

/** GET through an agent (so keep-alive applies). */
export function getWithAgent(agent: Agent, host: string, path = '/'): Promise<SimpleResponse> {
	return new Promise((resolve, reject) => {
		const client = request({ agent, host: '127.0.0.1', path, headers: { host } });
		client.on('error', reject);
		client.on('response', (response) => {
			let body = '';
			response.setEncoding('utf8');
			response.on('data', (chunk: string) => (body += chunk));
			response.on('end', () =>
				resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body }),
			);
		});
		client.end();
	});
}

/** Resolves with the error code of a TCP connection attempt (`ECONNREFUSED` once a server is closed). */
export function connectOutcome(host: string, port: number): Promise<string> {
	return new Promise((resolve) => {
		const socket = netConnect({ host, port });
		socket.once('connect', () => {
			socket.destroy();
			resolve('connected');
		});
		socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
	});
}
