import test from 'ava';
import type { Agent } from 'node:http';
import type { Socket } from 'node:net';
import { ALLOW_LOOPBACK, configFrom } from './helpers/setup.js';
import { client, destinations, forwardProxy, named } from './helpers/fixtures.js';

const CAP = 50;

/** Adds every socket the agent holds (busy or idle) to `seen`. */
function collect(agent: Agent, seen: Set<Socket>): void {
	for (const list of [...Object.values(agent.sockets), ...Object.values(agent.freeSockets)])
		for (const socket of list ?? []) seen.add(socket);
}

/** The sockets seen so far that are still open. */
function open(sockets: ReadonlySet<Socket>): number {
	let count = 0;
	for (const socket of sockets) if (!socket.destroyed) count++;
	return count;
}

test('direct: idle sockets across 300 destinations stay within maxIdleSockets', async (t) => {
	const { http } = await destinations(t);
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK), { pool: { maxIdleSockets: CAP } });
	const sockets = new Set<Socket>();
	let peak = 0;
	for (let index = 0; index < 300; index++) {
		const response = await stack.client('push').get(`${named(http, `d${index}.test.com`)}/`);
		t.is(response.body, 'ok');
		collect(response.request.options.agent.http as Agent, sockets);
		// At most CAP idle sockets plus the one that carried this request (it may not be freed yet).
		peak = Math.max(peak, open(sockets));
	}
	t.true(sockets.size >= 299, 'one socket per destination');
	t.true(peak <= CAP + 1, `peak of ${peak} open sockets`);
	t.true(peak >= CAP, 'sockets were kept alive up to the cap');
});

test('tunnels: idle tunnels across destinations stay within maxIdleSockets; a recent one is reused', async (t) => {
	const proxy = await forwardProxy(t);
	const { https } = await destinations(t);
	const cap = 10;
	const stack = await client(t, configFrom({ https_proxy: proxy.url }), { pool: { maxIdleSockets: cap } });
	const sockets = new Set<Socket>();
	let peak = 0;
	for (let index = 0; index < 40; index++) {
		const response = await stack.client('push').get(`${named(https, `t${index}.test.com`)}/`);
		collect(response.request.options.agent.https as Agent, sockets);
		peak = Math.max(peak, open(sockets));
	}
	t.is(proxy.connects, 40);
	t.true(peak <= cap + 1, `peak of ${peak} open tunnels`);
	// The most recently used destination still has its tunnel.
	await stack.client('push').get(`${named(https, 't39.test.com')}/again`);
	t.is(proxy.connects, 40);
});
