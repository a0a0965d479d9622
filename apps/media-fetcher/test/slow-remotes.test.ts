// Issue 13: sixteen remotes that drip their answer (or never send headers) cannot take the download slots from
// a good remote; slots come back, slow servers are backed off, and nothing is left open on the remotes' side.
import test from 'ava';
import { eventually, GOOD_BYTES, SLOW_MODES, startSlowWorld } from './helpers/slow-remotes.js';

const LIMITS = {
	max_concurrent_downloads: 16,
	max_downloads_per_server: 2,
	download_queue_size: 32,
	download_queue_timeout_ms: 20_000,
	download_timeout_ms: 6000,
	min_download_rate: 64,
	download_rate_window_ms: 1000,
	slow_remote_backoff_ms: 60_000,
};

test('16 dripping remotes holding every slot: a good download is answered, slots come back, nothing leaks', async (t) => {
	t.timeout(60_000);
	const world = await startSlowWorld(t, SLOW_MODES, LIMITS);
	const slowAnswers = world.slow.map(({ serverName }, index) => world.get(serverName, `m${index}`));
	t.true(
		await eventually(() => world.slow.every(({ remote }) => remote.requests === 1), 10_000),
		'every slow remote got its request',
	);
	// How many slots the slow remotes still hold when the good request comes depends on the machine's speed.
	t.log(`slots when the good request comes: ${JSON.stringify(world.fetcher.service.slots)}`);
	const started = Date.now();
	const good = await world.get(world.good.serverName, 'good');
	t.log(`good download answered after ${Date.now() - started} ms with 16 slow remotes`);
	t.is(good.status, 200);
	t.deepEqual(good.body, GOOD_BYTES);
	for (const answer of await Promise.all(slowAnswers)) {
		t.is(answer.status, 502);
		t.is(JSON.parse(answer.body.toString('utf8')).error, 'Failed to fetch remote media');
	}
	t.deepEqual(world.fetcher.service.slots, { active: 0, waiting: 0 });
	t.is(world.fetcher.service.downloadsInFlight, 0);
	t.is(world.fetcher.service.backedOffServers, 16);
	// A backed-off server is refused at once: a Matrix error with Retry-After, and no new request reaches it.
	const again = await world.get(world.slow[0]!.serverName, 'other');
	t.is(again.status, 503);
	t.is(JSON.parse(again.body.toString('utf8')).errcode, 'M_UNKNOWN');
	t.regex(String(again.headers['retry-after']), /^\d+$/);
	t.is(world.slow[0]!.remote.requests, 1);
	t.true(
		await eventually(() => world.slow.every(({ remote }) => remote.openConnections() === 0), 5000),
		`open connections: ${world.slow.map(({ remote }) => remote.openConnections()).join(',')}`,
	);
});

test('one server holds at most max_downloads_per_server slots; the others still get theirs', async (t) => {
	t.timeout(30_000);
	const world = await startSlowWorld(t, ['silent'], {
		...LIMITS,
		max_concurrent_downloads: 4,
		download_timeout_ms: 60_000,
	});
	const slow = world.slow[0]!;
	let hangUp!: () => void;
	const gone = new Promise<void>((resolve) => (hangUp = resolve));
	const hangUps = [0, 1, 2, 3].map((index) => world.getAndHangUp(slow.serverName, `s${index}`, gone));
	t.true(await eventually(() => slow.remote.requests === 2, 5000));
	t.true(
		await eventually(() => world.fetcher.service.slots.waiting === 2, 5000),
		'the two others wait for a slot of their server',
	);
	t.is(world.fetcher.service.slots.active, 2);
	const good = await world.get(world.good.serverName, 'good');
	t.is(good.status, 200);
	t.is(slow.remote.requests, 2);
	hangUp();
	await Promise.all(hangUps);
	t.true(await eventually(() => world.fetcher.service.slots.active === 0, 5000), 'the slots came back');
	t.true(await eventually(() => slow.remote.openConnections() === 0, 5000));
});

test('a download no client waits for any more is cancelled, only when the last client left', async (t) => {
	t.timeout(30_000);
	const world = await startSlowWorld(t, ['silent'], { ...LIMITS, download_timeout_ms: 60_000 });
	const slow = world.slow[0]!;
	let leaveFirst!: () => void;
	let leaveSecond!: () => void;
	const first = world.getAndHangUp(
		slow.serverName,
		'shared',
		new Promise<void>((resolve) => (leaveFirst = resolve)),
	);
	t.true(await eventually(() => slow.remote.requests === 1, 5000));
	const second = world.getAndHangUp(
		slow.serverName,
		'shared',
		new Promise<void>((resolve) => (leaveSecond = resolve)),
	);
	let sharedLookups = 0;
	for (let polls = 0; polls < 100 && sharedLookups === 0; polls++) {
		const { values } = await world.fetcher.metrics.lookups.get();
		sharedLookups = values.find((value) => value.labels['result'] === 'shared')?.value ?? 0;
		if (sharedLookups === 0) await new Promise((resolve) => setTimeout(resolve, 50));
	}
	t.is(sharedLookups, 1, 'the second client joined the download');
	leaveFirst();
	await first;
	// The second client still waits: the one shared download goes on.
	t.false(await eventually(() => slow.remote.openConnections() === 0, 500));
	t.is(world.fetcher.service.downloadsInFlight, 1);
	leaveSecond();
	await second;
	t.true(
		await eventually(() => slow.remote.openConnections() === 0, 5000),
		'the remote connection was closed',
	);
	t.true(await eventually(() => world.fetcher.service.slots.active === 0, 5000));
	t.is(world.fetcher.service.downloadsInFlight, 0);
	t.is(world.fetcher.service.backedOffServers, 0, 'a cancelled download does not back the server off');
	t.is(slow.remote.requests, 1);
});

test('a remote that drips its media body or its multipart preamble fails as too slow, below min_download_rate', async (t) => {
	t.timeout(60_000);
	const world = await startSlowWorld(t, ['body', 'preamble'], LIMITS);
	for (const [index, { serverName }] of world.slow.entries()) {
		const error = await t.throwsAsync(world.fetcher.service.get({ serverName, mediaId: `drip${index}` }));
		t.like(error, { code: 'ERR_REMOTE_TOO_SLOW' } as never);
	}
	t.is(world.fetcher.service.backedOffServers, 2);
});
