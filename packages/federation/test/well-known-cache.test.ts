import test from 'ava';
import { FakeNetwork, wellKnown } from './helpers/fake-network.js';

/** Resolves `testserv` and returns the Host header (the delegated name, or testserv without delegation). */
const delegation = async (net: FakeNetwork) => (await net.resolver.resolve('testserv'))[0]?.hostHeader;

test('test_get_well_known: the delegation is cached, then refetched once 80 % of the 24 h default has passed', async (t) => {
	const net = new FakeNetwork();
	net.random = 0.5; // jitter factor exactly 1
	net.wellKnownAnswers.set('testserv', [
		wellKnown({ 'm.server': 'target-server' }),
		wellKnown({ 'm.server': 'other-server' }),
	]);
	t.is(await delegation(net), 'target-server');
	net.advance(0.8 * 24 * 3600 - 1);
	t.is(await delegation(net), 'target-server');
	t.is(net.wellKnownCalls.length, 1);
	net.advance(2);
	t.is(await delegation(net), 'other-server');
	t.is(net.wellKnownCalls.length, 2);
});

test('the 24 h default has ±10 % jitter from the injected random source', async (t) => {
	for (const [random, seconds] of [
		[0, 0.9 * 24 * 3600],
		[0.999999, 1.1 * 24 * 3600],
	] as const) {
		const net = new FakeNetwork();
		net.random = random;
		net.wellKnownAnswers.set('testserv', wellKnown({ 'm.server': 'target-server' }));
		await delegation(net);
		net.advance(0.8 * seconds - 2);
		await delegation(net);
		t.is(net.wellKnownCalls.length, 1, `random ${random}: still cached`);
		net.advance(4);
		await delegation(net);
		t.is(net.wellKnownCalls.length, 2, `random ${random}: refetched`);
	}
});

test('test_well_known_cache: max-age=1000 is honoured, then the answer is refetched', async (t) => {
	const net = new FakeNetwork();
	net.wellKnownAnswers.set('testserv', [
		wellKnown({ 'm.server': 'target-server' }, { 'Cache-Control': 'max-age=1000' }),
		wellKnown({ 'm.server': 'other-server' }),
	]);
	t.is(await delegation(net), 'target-server');
	net.advance(799);
	t.is(await delegation(net), 'target-server');
	t.is(net.wellKnownCalls.length, 1);
	net.advance(201);
	t.is(await delegation(net), 'other-server');
	t.is(net.wellKnownCalls.length, 2);
});

test('test_well_known_cache_with_temp_failure: an early refetch that fails keeps the cached delegation', async (t) => {
	const net = new FakeNetwork();
	net.wellKnownAnswers.set('testserv', [
		wellKnown({ 'm.server': 'target-server' }, { 'Cache-Control': 'max-age=1000' }),
	]);
	t.is(await delegation(net), 'target-server');
	net.advance(900);
	net.resetCalls();
	// Every later fetch fails to connect (no answers left): a temporary failure.
	const [candidate] = await net.resolver.resolve('testserv');
	t.is(candidate?.hostHeader, 'target-server');
	t.is(net.wellKnownCalls.length, 3, 'retried, because the server recently had a valid .well-known');
	t.deepEqual(net.sleeps, [500, 500]);
	t.regex(
		candidate?.steps.join('\n') ?? '',
		/ECONNREFUSED \(after 3 attempts\); keeping the cached delegation/,
	);
	// Once both caches have expired, a failure means no delegation, after a single attempt.
	net.advance(10_000);
	net.resetCalls();
	t.is(await delegation(net), 'testserv');
	t.is(net.wellKnownCalls.length, 1);
});

test('a 5xx answer is a temporary failure and is retried only for recently valid servers', async (t) => {
	const net = new FakeNetwork();
	net.wellKnownAnswers.set('testserv', [wellKnown('oops', {}, 503)]);
	t.is(await delegation(net), 'testserv');
	t.is(net.wellKnownCalls.length, 1, 'no retry for a server never seen valid');
	t.deepEqual(net.sleeps, []);
});

test('a permanent failure during the refresh window replaces the cached delegation', async (t) => {
	const net = new FakeNetwork();
	net.wellKnownAnswers.set('testserv', [
		wellKnown({ 'm.server': 'target-server' }, { 'Cache-Control': 'max-age=1000' }),
		wellKnown('gone', {}, 404),
	]);
	await delegation(net);
	net.advance(900);
	t.is(await delegation(net), 'testserv');
});

test('an oversize body is not retried even for a recently valid server, and keeps the cached delegation', async (t) => {
	const net = new FakeNetwork();
	net.wellKnownAnswers.set('testserv', [
		wellKnown({ 'm.server': 'target-server' }, { 'Cache-Control': 'max-age=1000' }),
		wellKnown('x'.repeat(60 * 1024)),
	]);
	await delegation(net);
	net.advance(900);
	net.resetCalls();
	t.is(await delegation(net), 'target-server');
	t.is(net.wellKnownCalls.length, 1);
});

test('a failure is cached for 1 h ±10 %', async (t) => {
	const net = new FakeNetwork();
	net.wellKnownAnswers.set('testserv', [
		wellKnown('nope', {}, 404),
		wellKnown({ 'm.server': 'target-server' }),
	]);
	t.is(await delegation(net), 'testserv');
	net.advance(0.8 * 3600 - 1);
	t.is(await delegation(net), 'testserv');
	t.is(net.wellKnownCalls.length, 1);
	net.advance(2);
	t.is(await delegation(net), 'target-server');
});

test('a failure after a recent valid answer is cached for only 2 min ("down")', async (t) => {
	const net = new FakeNetwork();
	net.wellKnownAnswers.set('testserv', [
		wellKnown({ 'm.server': 'target-server' }, { 'Cache-Control': 'max-age=600' }),
		wellKnown('nope', {}, 404),
		wellKnown({ 'm.server': 'back-server' }),
	]);
	t.is(await delegation(net), 'target-server');
	net.advance(600);
	t.is(await delegation(net), 'testserv');
	net.advance(0.8 * 120 - 1);
	t.is(await delegation(net), 'testserv');
	t.is(net.wellKnownCalls.length, 2);
	net.advance(2);
	t.is(await delegation(net), 'back-server');
});

const BOUNDS: ReadonlyArray<[string, Record<string, string>, number]> = [
	['max-age=10 is raised to the 5 min minimum', { 'cache-control': 'max-age=10' }, 300],
	['no-store still caches for the 5 min minimum', { 'cache-control': 'no-store' }, 300],
	['an Expires in the past caches for 5 min', { expires: 'Thu, 01 Jan 1970 00:00:00 GMT' }, 300],
	['an invalid Expires caches for 5 min', { expires: '0' }, 300],
	['max-age of a year is cut to 48 h', { 'cache-control': 'max-age=31536000' }, 48 * 3600],
	[
		'an Expires in an hour gives 1 h',
		{ expires: new Date(1_700_000_000_000 + 3600_000).toUTCString() },
		3600,
	],
];

for (const [what, headers, seconds] of BOUNDS) {
	test(`cache bounds: ${what}`, async (t) => {
		const net = new FakeNetwork();
		net.random = 0; // would shorten a jittered default; header periods are not jittered
		net.wellKnownAnswers.set('testserv', [
			wellKnown({ 'm.server': 'target-server' }, headers),
			wellKnown({ 'm.server': 'other-server' }),
		]);
		await delegation(net);
		net.advance(0.8 * seconds - 1);
		t.is(await delegation(net), 'target-server');
		net.advance(2);
		t.is(await delegation(net), 'other-server');
	});
}

test('concurrent lookups of one name share one fetch', async (t) => {
	const net = new FakeNetwork();
	net.wellKnownAnswers.set('testserv', wellKnown({ 'm.server': 'target-server' }));
	const all = await Promise.all([delegation(net), delegation(net), delegation(net)]);
	t.deepEqual(all, ['target-server', 'target-server', 'target-server']);
	t.is(net.wellKnownCalls.length, 1);
});

test('clearCache forgets cached delegations', async (t) => {
	const net = new FakeNetwork();
	net.wellKnownAnswers.set('testserv', wellKnown({ 'm.server': 'target-server' }));
	await delegation(net);
	net.resolver.clearCache();
	await delegation(net);
	t.is(net.wellKnownCalls.length, 2);
});

test('the cache is bounded: beyond maxCacheEntries the oldest name is forgotten', async (t) => {
	const net = new FakeNetwork({ maxCacheEntries: 2 });
	for (const name of ['a.example', 'b.example', 'c.example', 'a.example']) {
		await net.resolver.resolve(name);
	}
	t.deepEqual(
		net.wellKnownCalls.map((c) => c.serverName),
		['a.example', 'b.example', 'c.example', 'a.example'],
	);
	await net.resolver.resolve('c.example');
	t.is(net.wellKnownCalls.length, 4, 'c.example is still cached');
});
