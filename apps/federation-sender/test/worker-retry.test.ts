import { join } from 'node:path';
import test from 'ava';
import { openSqliteOutbox } from '../src/outbox/sqlite-outbox.js';
import {
	IpBlockedError,
	OutboundHttpError,
	ProxyAuthRequiredError,
	ProxyError,
	ProxyRefusedError,
} from '@homeserver/outbound-http';
import { OK, FakeRemote, refused } from './helpers/fake-remote.js';
import { pdus } from './helpers/items.js';
import { ManualClock, settle } from './helpers/manual-clock.js';
import { tempDir } from './helpers/temp-dir.js';
import { harness, next } from './helpers/worker.js';

const MIN = 60_000;

test('a 5xx is retried at the HTTP level after 4 s and 16 s, with the same txnId and byte-identical body', async (t) => {
	const { worker, remote, clock } = harness(t);
	let n = 0;
	remote.handler = () => (++n < 3 ? { status: 502, body: {} } : OK);
	await worker.start();
	await worker.enqueue('remote.test', pdus(0, 3));
	await settle();
	t.is(remote.calls.length, 1);
	await clock.advance(4000 - 1);
	t.is(remote.calls.length, 1);
	await clock.advance(1);
	t.is(remote.calls.length, 2);
	const delivered = next(worker, 'delivered');
	await clock.advance(16_000);
	await delivered;
	t.is(remote.calls.length, 3);
	t.is(new Set(remote.calls.map((c) => c.txnId)).size, 1);
	t.is(new Set(remote.calls.map((c) => c.body)).size, 1);
});

test('a failing destination is backed off 10 then 20 minutes, and after it recovers receives everything in order', async (t) => {
	const { worker, remote, clock, store } = harness(t);
	remote.handler = refused;
	await worker.start();
	const failed = next(worker, 'failed');
	await worker.enqueue('remote.test', pdus(0, 30));
	await clock.advance(4000 + 16_000);
	const [first] = await failed;
	t.is(first.retryAt, clock.now() + 10 * MIN);
	t.is(remote.calls.length, 3, 'one attempt and two HTTP-level retries');
	t.regex(first.error, /ECONNREFUSED/);

	// New items during the outage do not wake a backed-off destination.
	await worker.enqueue('remote.test', pdus(30, 40));
	await clock.advance(10 * MIN - 1);
	t.is(remote.calls.length, 3);
	const failedAgain = next(worker, 'failed');
	await clock.advance(1);
	await clock.advance(20_000);
	const [second] = await failedAgain;
	t.is(second.retryAt - clock.now(), 20 * MIN);
	t.is(second.failureCount, 2);
	t.like((await store.status())[0], { backoff: { retryInterval: 20 * MIN, failureCount: 2 } });

	remote.handler = () => OK;
	let delivered = 0;
	worker.on('delivered', (e) => (delivered += e.pduCount));
	await clock.advance(20 * MIN);
	await settle();
	t.is(delivered, 70);
	t.deepEqual(
		remote.received('remote.test'),
		Array.from({ length: 70 }, (_, i) => `$e${i}`),
	);
	t.like((await store.status())[0], { backoff: { retryInterval: 0, failureCount: 0 }, pendingPdus: 0 });
});

test('the backoff is kept across a restart: the new process waits it out, then re-sends the same transaction', async (t) => {
	const path = join(tempDir(t), 'o.db');
	const clock = new ManualClock();
	const remote = new FakeRemote();
	remote.handler = refused;
	const one = harness(t, { path, clock, remote });
	await one.worker.start();
	const failed = next(one.worker, 'failed');
	await one.worker.enqueue('remote.test', pdus(0, 2));
	await clock.advance(20_000);
	const [{ retryAt, txnId }] = await failed;
	await one.worker.stop();
	await one.store.close();

	const calls = remote.calls.length;
	remote.handler = () => OK;
	const two = harness(t, { store: openSqliteOutbox(path), clock, remote });
	await two.worker.start();
	await clock.advance(retryAt - clock.now() - 1);
	t.is(remote.calls.length, calls, 'nothing sent while the stored backoff is in force');
	const delivered = next(two.worker, 'delivered');
	await clock.advance(1);
	const [event] = await delivered;
	t.is(event.txnId, txnId);
	t.is(remote.calls.at(-1)!.body, remote.calls[0]!.body);
});

test("a 429's retry_after_ms is waited before the retry", async (t) => {
	const { worker, remote, clock } = harness(t);
	let n = 0;
	remote.handler = () =>
		++n === 1 ? { status: 429, body: { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 30_000 } } : OK;
	await worker.start();
	await worker.enqueue('remote.test', pdus(0, 1));
	await clock.advance(30_000 - 1);
	t.is(remote.calls.length, 1);
	const delivered = next(worker, 'delivered');
	await clock.advance(1);
	await delivered;
	t.is(remote.calls.length, 2);
});

test('a 429 asking for longer than a retry delay backs the destination off for that long', async (t) => {
	const { worker, remote, clock } = harness(t);
	remote.handler = () => ({ status: 429, body: {}, retryAfterMs: 3_600_000 });
	await worker.start();
	const failed = next(worker, 'failed');
	await worker.enqueue('remote.test', pdus(0, 1));
	const [event] = await failed;
	t.is(event.retryAt, clock.now() + 3_600_000);
	t.is(remote.calls.length, 1);
});

test('a 4xx answer is not retried at once: the destination is backed off and keeps the transaction', async (t) => {
	const { worker, remote, clock, store } = harness(t);
	remote.handler = () => ({ status: 403, body: { errcode: 'M_FORBIDDEN', error: 'bad signature' } });
	await worker.start();
	const failed = next(worker, 'failed');
	await worker.enqueue('remote.test', pdus(0, 1));
	const [event] = await failed;
	t.is(remote.calls.length, 1);
	t.is(event.error, 'HTTP 403 M_FORBIDDEN: bad signature');
	t.is(event.retryAt, clock.now() + 10 * MIN);
	t.like((await store.status())[0], {
		inFlight: { txnId: event.txnId, lastError: event.error },
		pendingPdus: 1,
	});
});

test('a destination too slow for its deadline (ERR_TIMEOUT) is backed off at once, without HTTP-level retries holding its slot', async (t) => {
	const { worker, remote, clock, store } = harness(t);
	remote.handler = () => {
		throw Object.assign(
			new Error('the request to "slow.test" did not complete within its deadline of 60000 ms'),
			{
				code: 'ERR_TIMEOUT',
				phase: 'deadline',
			},
		);
	};
	await worker.start();
	const failed = next(worker, 'failed');
	await worker.enqueue('slow.test', pdus(0, 2));
	const [first] = await failed;
	t.is(remote.calls.length, 1, 'no short retry after a timeout');
	t.is(first.retryAt, clock.now() + 10 * MIN, 'the normal backoff');
	t.regex(first.error, /^ERR_TIMEOUT: /);
	t.like((await store.status())[0], { backoff: { failureCount: 1 } });
	t.deepEqual(worker.inFlight, [], 'the slot is free again');
});

test('a failure a retry repeats exactly (blocked address, TLS, proxy 407 or 403) is backed off at once, without HTTP-level retries', async (t) => {
	const failures: ReadonlyArray<readonly [string, () => Error]> = [
		[
			'ERR_IP_BLOCKED',
			() =>
				new IpBlockedError('remote.test', {
					address: '10.0.0.1',
					range: '10.0.0.0/8',
					derivedFrom: undefined,
					key: 'ip_range_blacklist',
					allowlistKey: 'ip_range_whitelist',
				}),
		],
		['ERR_DESTINATION_TLS', () => new OutboundHttpError('ERR_DESTINATION_TLS', 'certificate has expired')],
		['ERR_PROXY_AUTH_REQUIRED', () => new ProxyAuthRequiredError('http://proxy.test:3128', null, 'proxy answered 407')],
		[
			'ERR_PROXY_REFUSED 403',
			() => new ProxyRefusedError('http://proxy.test:3128', 403, 'Forbidden', 'the proxy answered 403'),
		],
	];
	for (const [name, failure] of failures) {
		const { worker, remote, clock } = harness(t);
		remote.handler = () => {
			throw failure();
		};
		await worker.start();
		const failed = next(worker, 'failed');
		await worker.enqueue('remote.test', pdus(0, 1));
		const [event] = await failed;
		t.is(remote.calls.length, 1, `${name}: no short retry`);
		t.is(event.retryAt, clock.now() + 10 * MIN, `${name}: the normal backoff`);
		await worker.stop();
	}
});

test("a refused connection, a proxy's 503, a tunnel cut by a crashing proxy and a foreign error are retried at the HTTP level", async (t) => {
	const failures: ReadonlyArray<readonly [string, () => never]> = [
		['refused', refused],
		[
			'ERR_PROXY_REFUSED 503',
			() => {
				throw new ProxyRefusedError('http://proxy.test:3128', 503, 'Service Unavailable', 'the proxy answered 503');
			},
		],
		[
			'ERR_PROXY_PROTOCOL',
			() => {
				throw new ProxyError('ERR_PROXY_PROTOCOL', 'http://proxy.test:3128', 'closed the tunnel');
			},
		],
		[
			'TypeError',
			() => {
				throw new TypeError('not an outbound error');
			},
		],
	];
	for (const [name, failure] of failures) {
		const { worker, remote, clock } = harness(t);
		let n = 0;
		remote.handler = () => (++n === 1 ? failure() : OK);
		await worker.start();
		const delivered = next(worker, 'delivered');
		await worker.enqueue('remote.test', pdus(0, 1));
		await settle();
		t.is(remote.calls.length, 1, name);
		await clock.advance(4000);
		await delivered;
		t.is(remote.calls.length, 2, `${name}: retried after 4 s`);
		await worker.stop();
	}
});
