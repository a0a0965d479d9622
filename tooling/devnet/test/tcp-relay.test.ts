import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { startTcpRelay } from '../src/tcp-relay.js';

function echoServer(): Promise<{ port: number; close(): Promise<void> }> {
	const server = createServer((socket) => socket.pipe(socket));
	return new Promise((resolve) =>
		server.listen(0, '127.0.0.1', () =>
			resolve({
				port: (server.address() as AddressInfo).port,
				close: () => new Promise((done) => server.close(() => done())),
			}),
		),
	);
}

function roundTrip(host: string, port: number, text: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const socket = connect({ host, port }, () => socket.end(text));
		let received = '';
		socket.setEncoding('utf8');
		socket.on('data', (chunk: string) => (received += chunk));
		socket.on('end', () => resolve(received));
		socket.on('error', reject);
	});
}

test('the relay carries bytes both ways, on 127.0.0.1 and on ::1 at the same port', async (t) => {
	const echo = await echoServer();
	t.teardown(() => echo.close());
	const relay = await startTcpRelay(echo.port);
	t.teardown(() => relay.close());
	t.is(await roundTrip('127.0.0.1', relay.port, 'over IPv4'), 'over IPv4');
	if (relay.ipv6) t.is(await roundTrip('::1', relay.port, 'over IPv6'), 'over IPv6');
	else t.log('no IPv6 loopback on this host: ::1 not tested');
});

test('connections that arrive before the target is known wait for it', async (t) => {
	const echo = await echoServer();
	t.teardown(() => echo.close());
	const relay = await startTcpRelay();
	t.teardown(() => relay.close());
	const answer = roundTrip('127.0.0.1', relay.port, 'early');
	setTimeout(() => relay.setTarget(echo.port), 50);
	t.is(await answer, 'early');
});
