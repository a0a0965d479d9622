import { get } from 'node:http';
import { connect } from 'node:net';
import type { NetConnectOpts } from 'node:net';
import { startHttpServer } from '@homeserver/testkit';
import test from 'ava';
import { LeakAudit } from './helpers/secrets.js';
import { drainViolations, watchConnections } from './helpers/socket-guard.js';
import { mapLookup } from './helpers/stack.js';
import { registerSuiteChecks } from './helpers/suite-hooks.js';

const audit = new LeakAudit();
registerSuiteChecks(test, audit);

function connectOnce(options: NetConnectOpts): Promise<void> {
	return new Promise((resolve, reject) => {
		const socket = connect(options);
		socket.once('connect', () => {
			socket.destroy();
			resolve();
		});
		socket.once('error', reject);
	});
}

test.serial('the guard refuses a non-loopback IP literal before connecting, and records it', async (t) => {
	const { error, attempts } = await watchConnections(() => connectOnce({ host: '10.255.255.1', port: 9 }));
	t.is((error as NodeJS.ErrnoException).code, 'EHOSTILEGUARD');
	t.deepEqual(attempts, [{ host: '10.255.255.1', port: 9, addresses: ['10.255.255.1'] }]);
	t.deepEqual(drainViolations(), attempts);
});

test.serial('the guard refuses a name whose lookup answers a non-loopback address', async (t) => {
	const lookup = mapLookup({ 'far.test': ['127.0.0.1', '192.0.2.10'] });
	const { error, attempts } = await watchConnections(() =>
		connectOnce({ host: 'far.test', port: 9, lookup }),
	);
	t.is((error as NodeJS.ErrnoException).code, 'EHOSTILEGUARD');
	t.is(attempts.length, 1);
	t.deepEqual(drainViolations().length, 1);
});

test.serial('the guard lets loopback through and attributes attempts to the calling test only', async (t) => {
	const server = await startHttpServer();
	try {
		const lookup = mapLookup({ 'near.test': ['127.0.0.1'] });
		const { error, attempts } = await watchConnections(
			() =>
				new Promise<number>((resolve, reject) => {
					get({ host: 'near.test', port: server.port, lookup, agent: false }, (response) => {
						response.resume();
						resolve(response.statusCode ?? 0);
					}).once('error', reject);
				}),
		);
		t.is(error, undefined);
		t.deepEqual(attempts, [{ host: 'near.test', port: server.port, addresses: ['127.0.0.1'] }]);
		t.is(server.requests.length, 1);
		t.deepEqual(drainViolations(), []);
	} finally {
		await server.close();
	}
});
