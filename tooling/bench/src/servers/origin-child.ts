/**
 * The origin servers of the benchmarks, run in a child process so that serving does not share the
 * client's event loop. Listens on 127.0.0.1 only, on as many https and http ports as asked, and answers:
 * - `GET /1k`: 1 KiB body;
 * - `GET /bytes/<n>`: n bytes generated on the fly (never stored), written with back-pressure;
 * - `PUT /_matrix/federation/v1/send/<txnId>`: reads the body (capped at 1 MiB) and answers `{"pdus":{}}`.
 * It keeps counters only (no per-request records), so long runs do not grow its memory.
 */
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { SMALL_BODY_BYTES } from './origin-protocol.js';
import type { OriginReady, OriginStart, OriginStats } from './origin-protocol.js';

const small = Buffer.alloc(SMALL_BODY_BYTES, 'x');
const chunk = Buffer.alloc(64 * 1024, 'm');
const MAX_BYTES = 8 * 2 ** 30;
const MAX_TXN_BODY = 2 ** 20;
const counters = { requests: 0, connections: 0, tlsHandshakes: 0, transactions: 0 };

async function streamBytes(res: ServerResponse, total: number): Promise<void> {
	res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(total) });
	let left = total;
	while (left > 0 && !res.destroyed) {
		const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
		left -= piece.length;
		if (!res.write(piece)) await once(res, 'drain');
	}
	res.end();
}

async function transaction(req: IncomingMessage, res: ServerResponse): Promise<void> {
	let size = 0;
	for await (const part of req) {
		size += (part as Buffer).length;
		if (size > MAX_TXN_BODY) {
			res.writeHead(413).end();
			return;
		}
	}
	counters.transactions++;
	res.writeHead(200, { 'content-type': 'application/json' }).end('{"pdus":{}}');
}

function handle(req: IncomingMessage, res: ServerResponse): void {
	counters.requests++;
	const url = req.url ?? '/';
	if (req.method === 'GET' && url === '/1k') {
		res.writeHead(200, {
			'content-type': 'application/octet-stream',
			'content-length': String(small.length),
		});
		res.end(small);
		return;
	}
	const bytes = /^\/bytes\/(\d{1,12})$/.exec(url);
	if (req.method === 'GET' && bytes && Number(bytes[1]) <= MAX_BYTES) {
		streamBytes(res, Number(bytes[1])).catch(() => res.destroy());
		return;
	}
	if (req.method === 'PUT' && url.startsWith('/_matrix/federation/v1/send/')) {
		transaction(req, res).catch(() => res.destroy());
		return;
	}
	res.writeHead(404).end();
}

async function listen(server: Server): Promise<number> {
	// Idle keep-alive connections stay open between rounds, so no contender meets a server-side close.
	server.keepAliveTimeout = 120_000;
	server.on('connection', () => counters.connections++);
	server.on('secureConnection', () => counters.tlsHandshakes++);
	server.listen({ host: '127.0.0.1', port: 0 });
	await once(server, 'listening');
	const address = server.address();
	if (address === null || typeof address === 'string') throw new Error('no TCP address');
	return address.port;
}

async function start(msg: OriginStart): Promise<OriginReady> {
	const httpsPorts: number[] = [];
	const httpPorts: number[] = [];
	for (let i = 0; i < msg.https; i++) {
		httpsPorts.push(await listen(createHttpsServer({ cert: msg.tls.certPem, key: msg.tls.keyPem }, handle)));
	}
	for (let i = 0; i < msg.http; i++) httpPorts.push(await listen(createHttpServer(handle)));
	return { type: 'ready', httpsPorts, httpPorts };
}

process.on('message', (msg: OriginStart | { type: 'stats' }) => {
	if (msg.type === 'start') {
		start(msg).then(
			(ready) => process.send?.(ready),
			(error: unknown) => {
				console.error(error);
				process.exit(1);
			},
		);
	} else if (msg.type === 'stats') {
		const stats: OriginStats = { type: 'stats', ...counters };
		process.send?.(stats);
	}
});
// The parent's death (or its clean-up) ends this process.
process.on('disconnect', () => process.exit(0));
