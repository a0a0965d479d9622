import test from 'ava';
import { DownloadRateLimit } from '../src/download-ratelimit.js';
import { Limiter, LimiterWaitError } from '../src/limiter.js';
import { RemoteBackoff } from '../src/remote-backoff.js';

test('the limiter refuses a waiter beyond maxWaiting, and one whose signal aborts leaves the queue', async (t) => {
	const limiter = new Limiter(1, { maxWaiting: 1 });
	const release = await limiter.acquire();
	const leaving = new AbortController();
	const waiting = limiter.acquire(leaving.signal);
	const full = await t.throwsAsync(limiter.acquire(), { instanceOf: LimiterWaitError });
	t.is(full.reason, 'full');
	leaving.abort();
	t.is((await t.throwsAsync(waiting, { instanceOf: LimiterWaitError })).reason, 'aborted');
	t.is(limiter.waiting, 0);
	release();
	t.is(limiter.active, 0);
});

test('the limiter gives up on a wait after waitTimeoutMs and holds nothing for it', async (t) => {
	const limiter = new Limiter(1, { waitTimeoutMs: 50 });
	const release = await limiter.acquire();
	t.is((await t.throwsAsync(limiter.acquire(), { instanceOf: LimiterWaitError })).reason, 'timeout');
	release();
	t.deepEqual([limiter.active, limiter.waiting], [0, 0]);
});

test("the download bucket: 1 MiB must be free to start, and it drains at the configured rate (Synapse's rule)", (t) => {
	let now = 0;
	const bucket = new DownloadRateLimit(2 * 1024 * 1024, 1024, () => now);
	t.is(bucket.retryAfterMs('1.2.3.4'), 0);
	bucket.add('1.2.3.4', 1024 * 1024 + 2048);
	t.is(bucket.retryAfterMs('1.2.3.4'), 2000);
	t.is(bucket.retryAfterMs('5.6.7.8'), 0, 'other requesters are not affected');
	now = 2000;
	t.is(bucket.retryAfterMs('1.2.3.4'), 0);
});

test('the back-off refuses a server for its time, then forgets it; 0 never backs off', (t) => {
	let now = 0;
	const backoff = new RemoteBackoff(1000, () => now);
	backoff.fail('slow.example');
	t.is(backoff.remainingMs('slow.example'), 1000);
	t.is(backoff.remainingMs('fast.example'), 0);
	now = 1000;
	t.is(backoff.remainingMs('slow.example'), 0);
	t.is(backoff.size, 0);
	const never = new RemoteBackoff(0);
	never.fail('slow.example');
	t.is(never.remainingMs('slow.example'), 0);
});
