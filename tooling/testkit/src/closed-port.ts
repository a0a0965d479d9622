import { connect } from 'node:net';
import { TestkitError } from './errors.js';
import type { LoopbackHost } from './loopback.js';

/**
 * A loopback port that refuses connections, and keeps refusing: a privileged port (below 1024) on which nothing
 * listens. A port from {@link findFreePort} is only free for a moment, and the kernel hands the same ephemeral
 * ports to the next `listen(0)` of any test running beside this one, so a "dead" port taken that way can come to
 * life in the middle of a test. Nothing a test starts binds below 1024. Checked by connecting; cached per host.
 */
export function closedPort(host: LoopbackHost = '127.0.0.1'): Promise<number> {
	let port = found.get(host);
	if (port === undefined) {
		port = findClosed(host);
		found.set(host, port);
	}
	return port;
}

const found = new Map<LoopbackHost, Promise<number>>();

async function findClosed(host: LoopbackHost): Promise<number> {
	for (let port = 1; port < 1024; port++) {
		if (await refuses(host, port)) return port;
	}
	throw new TestkitError(
		'ERR_TESTKIT_NO_CLOSED_PORT',
		`every port below 1024 on ${host} accepts connections: no closed port for tests`,
	);
}

function refuses(host: LoopbackHost, port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect({ host, port, timeout: 1000 });
		const done = (refused: boolean): void => {
			socket.destroy();
			resolve(refused);
		};
		socket.once('connect', () => done(false));
		socket.once('timeout', () => done(false));
		socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED'));
	});
}
