import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import test from 'ava';
import { loopbackLookup } from '@homeserver/testkit';
import { IpBlockedError, OutboundHttpError, createRouter } from '../src/index.js';
import { guardedLookup } from '../src/agents/guarded-lookup.js';
import { ALLOW_LOOPBACK, HOSTS, configFrom } from './helpers/setup.js';
import { client, destinations, forwardProxy, named } from './helpers/fixtures.js';

test('a name resolving to a blocked address is refused at connection time, naming address, range and key', async (t) => {
	const { http } = await destinations(t);
	const stack = await client(t, configFrom({}));
	const error = await t.throwsAsync(
		stack
			.client('push')
			.get(`${named(http, 'internal.test')}/`)
			.text(),
	);
	t.true(error instanceof IpBlockedError);
	t.like(error, {
		code: 'ERR_IP_BLOCKED',
		host: 'internal.test',
		address: '127.0.0.1',
		range: '127.0.0.0/8',
		key: 'ip_range_blacklist',
	});
	t.regex(
		error.message,
		/address 127\.0\.0\.1 \(resolved from internal\.test\) is blocked: it is in ip_range_blacklist range 127\.0\.0\.0\/8; add it to ip_range_whitelist/,
	);
	t.is(http.requests.length, 0);
	t.is(http.connections, 0);
	t.regex(
		await stack.metrics.registry.metrics(),
		/outbound_request_errors_total\{purpose="push",code="ERR_IP_BLOCKED"\} 1/,
	);
});

test('if any address of a name is blocked the whole name is refused (no DNS rebinding games)', async (t) => {
	const { http } = await destinations(t);
	const lookup = loopbackLookup({ 'mixed.test': ['127.0.0.1', '::1'] });
	const stack = await client(t, configFrom({}, 'ip_range_whitelist: ["127.0.0.1"]'), { lookup });
	const error = await t.throwsAsync(
		stack
			.client('push')
			.get(`${named(http, 'mixed.test')}/`)
			.text(),
	);
	t.like(error, { code: 'ERR_IP_BLOCKED', address: '::1' });
	t.is(http.connections, 0);
});

test('an allow-listed name connects directly', async (t) => {
	const { http } = await destinations(t);
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK));
	t.is(
		await stack
			.client('push')
			.get(`${named(http, 'internal.test')}/`)
			.text(),
		'ok',
	);
});

test('an IP-literal destination (which skips DNS) is refused before any socket is opened', async (t) => {
	const { http, https } = await destinations(t);
	const stack = await client(t, configFrom({}));
	for (const url of [`${http.url}/`, `${https.url}/`, `http://[::ffff:127.0.0.1]:${http.port}/`]) {
		const error = await t.throwsAsync(stack.client('push').get(url).text());
		t.like(error, { code: 'ERR_IP_BLOCKED', address: '127.0.0.1' }, url);
	}
	t.is(http.connections + https.connections, 0);
	t.regex(
		await stack.metrics.registry.metrics(),
		/outbound_requests_total\{purpose="push",route="blocked"\} 3/,
	);
});

test("a caller's dnsLookup cannot bypass the guarded lookup of the direct agent", async (t) => {
	const { http } = await destinations(t);
	const stack = await client(t, configFrom({}));
	const error = await t.throwsAsync(
		stack
			.client('push')
			.get(`${named(http, 'internal.test')}/`, { dnsLookup: loopbackLookup(HOSTS) })
			.text(),
	);
	t.like(error, { code: 'ERR_IP_BLOCKED' });
	t.is(http.connections, 0);
});

test('a no_proxy host goes direct and is checked against the IP policy; the allowlist lets it through', async (t) => {
	const proxy = await forwardProxy(t);
	const { https } = await destinations(t);
	const env = { https_proxy: proxy.url, no_proxy: 'internal.test' };
	const blocked = await client(t, configFrom(env));
	t.is(blocked.route(`${named(https, 'internal.test')}/`, 'push').route, 'direct');
	const error = await t.throwsAsync(
		blocked
			.client('push')
			.get(`${named(https, 'internal.test')}/`)
			.text(),
	);
	t.like(error, { code: 'ERR_IP_BLOCKED' });
	const allowed = await client(t, configFrom(env, ALLOW_LOOPBACK));
	t.is(
		await allowed
			.client('push')
			.get(`${named(https, 'internal.test')}/`)
			.text(),
		'ok',
	);
	t.is(proxy.log.length, 0);
});

test('purposes without an IP policy (appservice, replication) reach loopback names directly', async (t) => {
	const { http } = await destinations(t);
	const stack = await client(t, configFrom({ http_proxy: 'http://proxy.test:9' }));
	t.is(
		await stack
			.client('appservice')
			.get(`${named(http, 'internal.test')}/`)
			.text(),
		'ok',
	);
	t.is(await stack.client('replication').get(`${http.url}/`).text(), 'ok');
});

// The guarded lookup on its own: every answer shape, failing closed.

function fakeLookup(answer: unknown, error: NodeJS.ErrnoException | null = null): LookupFunction {
	return ((_host: string, _options: unknown, callback: (e: unknown, a: unknown, f?: number) => void) => {
		process.nextTick(() => callback(error, answer));
	}) as unknown as LookupFunction;
}

function resolve(
	lookup: LookupFunction,
	options: object,
): Promise<{ error: unknown; address: unknown; family?: unknown }> {
	return new Promise((done) => {
		lookup('name.test', options, (error, address, family) => done({ error, address, family }));
	});
}

const policy = (() => {
	const router = createRouter(configFrom({}, 'ip_range_blacklist: ["10.0.0.0/8"]'));
	return router.ipPolicy('push')!;
})();

test('the guarded lookup answers {all: true} with every address, and a single address otherwise', async (t) => {
	const addresses: LookupAddress[] = [
		{ address: '203.0.113.1', family: 4 },
		{ address: '2001:db8::1', family: 6 },
	];
	const lookup = guardedLookup(policy, fakeLookup(addresses));
	t.deepEqual((await resolve(lookup, { all: true })).address, addresses);
	t.like(await resolve(lookup, {}), { error: null, address: '203.0.113.1', family: 4 });
});

test('the guarded lookup refuses when any address is blocked, also for a single-address answer', async (t) => {
	const mixed = guardedLookup(
		policy,
		fakeLookup([
			{ address: '203.0.113.1', family: 4 },
			{ address: '10.1.1.1', family: 4 },
		]),
	);
	t.like((await resolve(mixed, {})).error, { code: 'ERR_IP_BLOCKED', address: '10.1.1.1' });
	const mapped = guardedLookup(policy, fakeLookup('::ffff:10.0.0.7'));
	t.like((await resolve(mapped, {})).error, { code: 'ERR_IP_BLOCKED', address: '10.0.0.7' });
});

test('the guarded lookup fails closed on empty, malformed or odd answers and passes resolver errors on', async (t) => {
	for (const answer of [
		[],
		[{ address: 'not-an-ip', family: 4 }],
		[{ family: 4 }],
		[null],
		42,
		undefined,
		'',
	]) {
		const { error } = await resolve(guardedLookup(policy, fakeLookup(answer)), { all: true });
		t.true(error instanceof OutboundHttpError, JSON.stringify(answer));
	}
	const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND name.test'), { code: 'ENOTFOUND' });
	t.is((await resolve(guardedLookup(policy, fakeLookup(undefined, notFound)), {})).error, notFound);
});
