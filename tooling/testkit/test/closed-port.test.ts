import { connect, createServer } from 'node:net';
import test from 'ava';
import { closedPort } from '../src/index.js';

const connectError = (port: number): Promise<string | undefined> =>
	new Promise((resolve) => {
		const socket = connect({ host: '127.0.0.1', port });
		socket.once('connect', () => {
			socket.destroy();
			resolve(undefined);
		});
		socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
	});

test('closedPort is a privileged loopback port that refuses connections, and stays closed while ephemeral ports are handed out', async (t) => {
	const port = await closedPort();
	t.true(port > 0 && port < 1024);
	const servers = await Promise.all(
		Array.from({ length: 20 }, async () => {
			const server = createServer();
			await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
			return server;
		}),
	);
	t.teardown(() => {
		for (const server of servers) server.close();
	});
	t.false(servers.some((server) => (server.address() as { port: number }).port === port));
	t.is(await connectError(port), 'ECONNREFUSED');
	t.is(await closedPort(), port, 'the same port each time');
});
