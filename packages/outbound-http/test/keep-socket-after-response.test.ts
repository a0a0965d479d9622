import { once } from 'node:events';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { ALLOW_LOOPBACK, configFrom } from './helpers/setup.js';
import { client } from './helpers/fixtures.js';

/** 8 MiB: more than loopback socket buffers hold, so the request is still writing when its answer arrives. */
const LARGE_BODY = Buffer.alloc(8 * 1024 * 1024, 0x61);

/**
 * A destination that answers each request as soon as its headers arrive, before reading the body, and then reads
 * the body; it records each connection and, per request, the body bytes it got before the body ended or broke off.
 */
async function earlyAnswering(t: ExecutionContext) {
	const sockets: Socket[] = [];
	const bodies: { bytes: number; complete: Promise<boolean> }[] = [];
	const server = createServer((request, response) => {
		const body = { bytes: 0, complete: Promise.resolve(false) };
		body.complete = new Promise<boolean>((resolve) => {
			request.on('data', (chunk: Buffer) => (body.bytes += chunk.length));
			request.on('end', () => resolve(true));
			request.socket.once('close', () => resolve(false));
		});
		bodies.push(body);
		response.end('ok');
	});
	server.on('connection', (socket: Socket) => sockets.push(socket));
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	t.teardown(() => {
		server.closeAllConnections();
		server.close();
	});
	const { port } = server.address() as AddressInfo;
	return { url: `http://127.0.0.1:${port}/`, sockets, bodies };
}

test('a PUT answered before its body was written sends the whole body and keeps its connection for the next request', async (t) => {
	const destination = await earlyAnswering(t);
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK), { pool: { maxSockets: 1 } });
	const push = stack.client('push');
	t.is(await push.put(destination.url, { body: LARGE_BODY }).text(), 'ok');
	// got has settled and destroyed its request; the body still arrives in full on a connection that stays open.
	t.true(await destination.bodies[0]?.complete);
	t.is(destination.bodies[0]?.bytes, LARGE_BODY.length);
	t.false(destination.sockets[0]?.destroyed);
	// One socket per destination: the GET waits for the PUT's socket, and reuses it unless it was closed.
	t.is(await push.get(destination.url).text(), 'ok');
	t.is(destination.sockets.length, 1);
});

test('a request answered early whose remote never reads the rest of the body gives its socket up', async (t) => {
	// A raw destination that answers on the request's first bytes and then never reads again: the PUT can never
	// finish writing, so its socket never becomes free. With one socket per destination, the GET after it is
	// served only once that socket is given up; it goes on a second connection.
	const sockets: Socket[] = [];
	const server = createNetServer((socket) => {
		sockets.push(socket);
		socket.once('data', () => {
			socket.pause();
			socket.write('HTTP/1.1 200 OK\r\nconnection: keep-alive\r\ncontent-length: 2\r\n\r\nok');
			if (sockets.length > 1) socket.resume();
		});
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	t.teardown(() => {
		for (const socket of sockets) socket.destroy();
		server.close();
	});
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK), { pool: { maxSockets: 1 } });
	const push = stack.client('push');
	t.is(await push.put(url, { body: LARGE_BODY }).text(), 'ok');
	t.is(await push.get(url).text(), 'ok');
	t.is(sockets.length, 2);
});
