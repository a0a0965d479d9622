// Synapse's `federation:` section drives the sender: the per-destination backoff and the retries inside one send.
import test from 'ava';
import { loadConfig } from '@homeserver/config';
import { DEFAULT_LONG_RETRY_SCHEDULE, longRetryScheduleFromConfig, retryDelay } from '@homeserver/federation';
import { backoffPolicyFromConfig, DEFAULT_BACKOFF_POLICY, nextRetryInterval } from '../src/backoff/policy.js';
import { pdus } from './helpers/items.js';
import { settle } from './helpers/manual-clock.js';
import { harness, NO_JITTER, next } from './helpers/worker.js';

const EXAMPLE = `
federation:
  client_timeout: 180s
  max_long_retry_delay: 20s
  max_long_retries: 1
  destination_min_retry_interval: 30s
  destination_retry_multiplier: 5
  destination_max_retry_interval: 12h
`;
const federation = loadConfig({ env: {}, yamlText: EXAMPLE, cwd: '/' }).federation;

test('without a federation section the policies are Synapse’s defaults', (t) => {
	const defaults = loadConfig({ env: {}, cwd: '/' }).federation;
	t.deepEqual(backoffPolicyFromConfig(defaults), DEFAULT_BACKOFF_POLICY);
	t.deepEqual(longRetryScheduleFromConfig(defaults), DEFAULT_LONG_RETRY_SCHEDULE);
});

test('the backoff starts at destination_min_retry_interval, grows by the multiplier, stops at the cap', (t) => {
	const policy = backoffPolicyFromConfig(federation);
	const seen: number[] = [];
	let interval = 0;
	for (let i = 0; i < 6; i++) seen.push((interval = nextRetryInterval(interval, policy, NO_JITTER)));
	t.deepEqual(seen, [30_000, 150_000, 750_000, 3_750_000, 18_750_000, 43_200_000]);
});

test('retry delays inside one send are capped by max_long_retry_delay', (t) => {
	const policy = longRetryScheduleFromConfig(federation);
	t.is(policy.maxRetries, 1);
	t.is(retryDelay(1, policy, NO_JITTER), 4_000);
	t.is(retryDelay(2, policy, NO_JITTER), 16_000);
	t.is(retryDelay(3, policy, NO_JITTER), 20_000);
});

test('a worker with the configured policies retries max_long_retries times, then backs off destination_min_retry_interval', async (t) => {
	const { worker, remote, clock } = harness(t, {
		backoff: backoffPolicyFromConfig(federation),
		httpRetry: longRetryScheduleFromConfig(federation),
	});
	remote.handler = () => ({ status: 503, body: {} });
	await worker.start();
	const failed = next(worker, 'failed');
	await worker.enqueue('remote.test', pdus(0, 2));
	await settle();
	await clock.advance(4_000);
	const [event] = await failed;
	t.is(remote.calls.length, 2, 'one attempt and one retry (max_long_retries: 1)');
	t.is(event.retryAt, clock.now() + 30_000);
	const again = next(worker, 'failed');
	await clock.advance(30_000);
	await settle();
	await clock.advance(4_000);
	const [second] = await again;
	t.is(second.retryAt - clock.now(), 150_000, 'then ×5 (destination_retry_multiplier)');
});
