// Issue 13, media part: 16 remotes that drip the media body, drip the multipart preamble or never send headers
// hold every download slot of the media fetcher; a fresh download from a good remote is still served within the
// configured bounds (a 1 s rate window, a 6 s overall deadline), direct and through the real Squid; the slots come
// back, the slow servers are backed off, and no connection to them is left open.
import type { SlowMediaMode } from '@homeserver/testkit';
import test from 'ava';
import { appsCanRun } from './helpers/app-env.js';
import { LeakAudit } from './helpers/secrets.js';
import { eventually, GOOD_BYTES, startSlowMediaWorld } from './helpers/slow-media-world.js';
import { registerSuiteChecks } from './helpers/suite-hooks.js';

const audit = new LeakAudit();
registerSuiteChecks(test, audit);

const MODES: readonly SlowMediaMode[] = [
	...Array<SlowMediaMode>(6).fill('body'),
	...Array<SlowMediaMode>(6).fill('preamble'),
	...Array<SlowMediaMode>(4).fill('silent'),
];

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

for (const via of ['direct', 'squid'] as const) {
	test.serial(
		`${via}: 16 slow remotes hold every slot, the good download is served, slots come back`,
		async (t) => {
			t.timeout(60_000);
			if (via === 'squid' && !(await appsCanRun(t))) return;
			const world = await startSlowMediaWorld(t, MODES, via, LIMITS);
			const slowAnswers = world.slow.map(({ serverName }, index) => world.get(serverName, `m${index}`));
			t.true(
				await eventually(() => world.slow.every(({ remote }) => remote.requests === 1), 15_000),
				`requests: ${world.slow.map(({ remote }) => remote.requests).join(',')}`,
			);
			// How many slots the slow remotes still hold when the good request comes depends on the machine's speed.
			t.log(`slots when the good request comes: ${JSON.stringify(world.fetcher.service.slots)}`);
			const started = Date.now();
			const good = await world.get(world.good.serverName, 'good');
			t.log(`${via}: the good download was answered after ${Date.now() - started} ms`);
			t.is(good.status, 200);
			t.deepEqual(good.body, GOOD_BYTES);
			const answers = await Promise.all(slowAnswers);
			t.deepEqual(
				answers.map((answer) => answer.status),
				MODES.map(() => 502),
			);
			t.deepEqual(world.fetcher.service.slots, { active: 0, waiting: 0 });
			t.is(world.fetcher.service.downloadsInFlight, 0);
			t.is(world.fetcher.service.backedOffServers, MODES.length);
			const again = await world.get(world.slow[6]!.serverName, 'again');
			t.is(again.status, 503);
			t.regex(again.retryAfter ?? '', /^[1-9]\d*$/);
			t.is(world.slow[6]!.remote.requests, 1, 'a backed-off remote is not asked again');
			t.true(
				await eventually(() => world.slow.every(({ remote }) => remote.openConnections() === 0), 5000),
				`open connections: ${world.slow.map(({ remote }) => remote.openConnections()).join(',')}`,
			);
			audit.addText(
				'slow media answers',
				JSON.stringify(answers.map((answer) => answer.body.toString('utf8'))),
			);
		},
	);
}
