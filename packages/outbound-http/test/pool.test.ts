import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import type { Agent } from 'node:http';
import type { LookupFunction } from 'node:net';
import { loopbackLookup } from '@homeserver/testkit';
import { OutboundHttpError } from '../src/index.js';
import { ALLOW_LOOPBACK, HOSTS, configFrom } from './helpers/setup.js';
import { client, destinations, forwardProxy, named, tlsForwardProxy } from './helpers/fixtures.js';

test('many https requests to one destination share one CONNECT tunnel (keep-alive)', async (t) => {
	const proxy = await forwardProxy(t);
	const { https } = await destinations(t);
	const stack = await client(t, configFrom({ https_proxy: proxy.url }));
	for (let index = 0; index < 8; index++)
		await stack
			.client('push')
			.get(`${named(https)}/${index}`)
			.text();
	t.is(proxy.connects, 1);
	t.is(https.connections, 1);
	t.is(https.requests.length, 8);
});

test('tunnels through an https proxy (TLS-in-TLS) are kept alive and reused too', async (t) => {
	const proxy = await tlsForwardProxy(t);
	const { https } = await destinations(t);
	const stack = await client(t, configFrom({ https_proxy: proxy.url.replace('127.0.0.1', 'proxy.test') }));
	for (let index = 0; index < 4; index++)
		await stack
			.client('push')
			.get(`${named(https)}/${index}`)
			.text();
	t.is(proxy.connects, 1);
	t.is(https.connections, 1);
});

test('plain-http requests to different destinations share one keep-alive connection to the proxy', async (t) => {
	const proxy = await forwardProxy(t);
	const { http } = await destinations(t);
	const stack = await client(t, configFrom({ http_proxy: proxy.url }));
	for (const name of ['a.test.com', 'b.test.com', 'c.test.com', 'a.test.com']) {
		await stack
			.client('push')
			.get(`${named(http, name)}/`)
			.text();
	}
	t.is(proxy.connections, 1);
	t.deepEqual(new Set(proxy.log.map((entry) => entry.connection)), new Set([1]));
});

test('one agent per route kind serves every destination', async (t) => {
	const proxy = await forwardProxy(t);
	const { https } = await destinations(t);
	const stack = await client(t, configFrom({ https_proxy: proxy.url }));
	const agents = new Set<unknown>();
	for (const name of ['a.test.com', 'b.test.com', 'c.test.com']) {
		const response = await stack.client('push').get(`${named(https, name)}/`);
		agents.add(response.request.options.agent.https);
	}
	t.is(agents.size, 1);
	t.is(stack.client('push'), stack.client('push'));
});

test('idle sockets expire, so per-destination pool state does not accumulate', async (t) => {
	const { http } = await destinations(t);
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK), { pool: { idleSocketMs: 100 } });
	let agent: Agent | undefined;
	for (let index = 0; index < 30; index++) {
		const response = await stack.client('push').get(`${named(http, `d${index}.test.com`)}/`);
		agent = response.request.options.agent.http as Agent;
	}
	t.true(agent !== undefined && Object.keys(agent.freeSockets).length > 0);
	for (let attempt = 0; attempt < 100 && Object.keys(agent?.freeSockets ?? {}).length > 0; attempt++)
		await sleep(50);
	t.deepEqual(Object.keys(agent?.freeSockets ?? {}), []);
	t.deepEqual(Object.keys(agent?.sockets ?? {}), []);
});

test('the keep-alive idle limit does not apply while a socket is still connecting', async (t) => {
	const { http, https } = await destinations(t);
	const fast = loopbackLookup(HOSTS);
	const slow = ((hostname: string, options: object, callback: (...args: unknown[]) => void) => {
		setTimeout(() => fast(hostname, options, callback), 300);
	}) as unknown as LookupFunction;
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK), { lookup: slow, pool: { idleSocketMs: 50 } });
	t.is(
		await stack
			.client('push')
			.get(`${named(http)}/`)
			.text(),
		'ok',
	);
	t.is(
		await stack
			.client('push')
			.get(`${named(https)}/`)
			.text(),
		'ok',
	);
});

test('close() destroys the agents; later requests fail with ERR_CLIENT_CLOSED', async (t) => {
	const { http } = await destinations(t);
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK));
	await stack
		.client('push')
		.get(`${named(http)}/`)
		.text();
	stack.close();
	const error = await t.throwsAsync(
		stack
			.client('push')
			.get(`${named(http)}/`)
			.text(),
	);
	t.true(error instanceof OutboundHttpError);
	t.is((error as OutboundHttpError).code, 'ERR_CLIENT_CLOSED');
});
