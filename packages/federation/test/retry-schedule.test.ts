// The retry schedules both apps take from this package: Synapse's long one (the sender's /send) and short one
// (requests someone waits for: media downloads), from the `federation:` section.
import test from 'ava';
import { loadConfig } from '@homeserver/config';
import {
	DEFAULT_LONG_RETRY_SCHEDULE,
	DEFAULT_SHORT_RETRY_SCHEDULE,
	longRetryScheduleFromConfig,
	retryDelay,
	shortRetryScheduleFromConfig,
} from '../src/index.js';

/** random() = 1/3 makes the jitter factor exactly 1.0 (0.8 + 0.6/3). */
const NO_JITTER = (): number => 1 / 3;
const delays = (schedule: typeof DEFAULT_SHORT_RETRY_SCHEDULE, n: number): number[] =>
	Array.from({ length: n }, (_, i) => retryDelay(i + 1, schedule, NO_JITTER));

test('without a federation section the schedules are Synapse’s defaults', (t) => {
	const defaults = loadConfig({ env: {}, cwd: '/' }).federation;
	t.deepEqual(shortRetryScheduleFromConfig(defaults), DEFAULT_SHORT_RETRY_SCHEDULE);
	t.deepEqual(longRetryScheduleFromConfig(defaults), DEFAULT_LONG_RETRY_SCHEDULE);
	t.is(DEFAULT_SHORT_RETRY_SCHEDULE.maxRetries, 3);
	t.is(DEFAULT_LONG_RETRY_SCHEDULE.maxRetries, 10);
});

test('short retries wait 0.5 s, 1 s, then 2 s (0.5 × 2^n s from n = 0, capped by max_short_retry_delay)', (t) => {
	t.deepEqual(delays(DEFAULT_SHORT_RETRY_SCHEDULE, 5), [500, 1000, 2000, 2000, 2000]);
});

test('long retries wait 4 s, 16 s, then 60 s', (t) => {
	t.deepEqual(delays(DEFAULT_LONG_RETRY_SCHEDULE, 4), [4000, 16_000, 60_000, 60_000]);
});

test('every delay is jittered by U(0.8, 1.4)', (t) => {
	t.is(
		retryDelay(1, DEFAULT_SHORT_RETRY_SCHEDULE, () => 0),
		400,
	);
	t.is(
		retryDelay(1, DEFAULT_SHORT_RETRY_SCHEDULE, () => 0.99999999),
		699,
	);
	t.is(
		retryDelay(3, DEFAULT_LONG_RETRY_SCHEDULE, () => 0),
		48_000,
	);
});

test('max_short_retries and max_short_retry_delay shape the short schedule, the long keys the long one', (t) => {
	const federation = loadConfig({
		env: {},
		cwd: '/',
		yamlText: [
			'federation:',
			'  max_short_retries: 5',
			'  max_short_retry_delay: 1500',
			'  max_long_retries: 2',
			'  max_long_retry_delay: 10s',
		].join('\n'),
	}).federation;
	const short = shortRetryScheduleFromConfig(federation);
	t.is(short.maxRetries, 5);
	t.deepEqual(delays(short, 5), [500, 1000, 1500, 1500, 1500]);
	const long = longRetryScheduleFromConfig(federation);
	t.is(long.maxRetries, 2);
	t.deepEqual(delays(long, 2), [4000, 10_000]);
});
