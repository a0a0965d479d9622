import test from 'ava';
import fc from 'fast-check';
import { DEFAULT_LONG_RETRY_SCHEDULE, retryDelay } from '@homeserver/federation';
import {
	backoffAfterFailure,
	DEFAULT_BACKOFF_POLICY,
	isBackedOff,
	nextRetryInterval,
	retryAt,
} from '../src/backoff/policy.js';
import { NO_BACKOFF } from '../src/outbox/types.js';

const MIN = 10 * 60_000;
const WEEK = 7 * 24 * 3_600_000;
/** random() = 1/3 makes the jitter factor exactly 1.0 (0.8 + 0.6/3). */
const noJitter = (): number => 1 / 3;

test('the first failure backs a destination off for 10 minutes, then the wait doubles', (t) => {
	let interval = 0;
	const seen: number[] = [];
	for (let i = 0; i < 4; i++) {
		interval = nextRetryInterval(interval, DEFAULT_BACKOFF_POLICY, noJitter);
		seen.push(interval);
	}
	t.deepEqual(seen, [MIN, 2 * MIN, 4 * MIN, 8 * MIN]);
});

test('the backoff is capped at 7 days however often the destination fails', (t) => {
	let interval = 0;
	for (let i = 0; i < 40; i++) interval = nextRetryInterval(interval, DEFAULT_BACKOFF_POLICY, () => 0.999);
	t.is(interval, WEEK);
});

test('each growth step is ×2 with Synapse jitter in [0.8, 1.4], within [10 min, 7 days]', (t) => {
	fc.assert(
		fc.property(
			fc.integer({ min: MIN, max: WEEK }),
			fc.double({ min: 0, max: 0.9999, noNaN: true }),
			(prev, r) => {
				const next = nextRetryInterval(prev, DEFAULT_BACKOFF_POLICY, () => r);
				return (
					next <= WEEK && next >= Math.min(WEEK, Math.floor(prev * 1.6)) && next <= Math.ceil(prev * 2.8)
				);
			},
		),
	);
	t.pass();
});

test('a failure records when it happened and counts consecutive failures', (t) => {
	const first = backoffAfterFailure(NO_BACKOFF, 1000, DEFAULT_BACKOFF_POLICY, noJitter);
	t.deepEqual(first, { failureTs: 1000, retryLastTs: 1000, retryInterval: MIN, failureCount: 1 });
	const second = backoffAfterFailure(first, 5000, DEFAULT_BACKOFF_POLICY, noJitter);
	t.deepEqual(second, { failureTs: 1000, retryLastTs: 5000, retryInterval: 2 * MIN, failureCount: 2 });
	t.is(retryAt(second), 5000 + 2 * MIN);
	t.true(isBackedOff(second, 5000 + 2 * MIN - 1));
	t.false(isBackedOff(second, 5000 + 2 * MIN));
});

test("a destination's retry_after_ms longer than the backoff is honoured, but never beyond the cap", (t) => {
	const asked = backoffAfterFailure(NO_BACKOFF, 0, DEFAULT_BACKOFF_POLICY, noJitter, 3_600_000);
	t.is(asked.retryInterval, 3_600_000);
	const shorter = backoffAfterFailure(NO_BACKOFF, 0, DEFAULT_BACKOFF_POLICY, noJitter, 1000);
	t.is(shorter.retryInterval, MIN);
	const huge = backoffAfterFailure(NO_BACKOFF, 0, DEFAULT_BACKOFF_POLICY, noJitter, 10 * WEEK);
	t.is(huge.retryInterval, WEEK);
});

test('HTTP-level retries wait about 4 s, 16 s, then 60 s each', (t) => {
	const delays = [1, 2, 3, 4, 10].map((n) => retryDelay(n, DEFAULT_LONG_RETRY_SCHEDULE, noJitter));
	t.deepEqual(delays, [4000, 16_000, 60_000, 60_000, 60_000]);
	t.is(
		retryDelay(1, DEFAULT_LONG_RETRY_SCHEDULE, () => 0),
		3200,
	);
	t.is(
		retryDelay(3, DEFAULT_LONG_RETRY_SCHEDULE, () => 0.99999999),
		83_999,
	);
});
