import { join } from 'node:path';
import test from 'ava';
import { openSqliteOutbox } from '../src/outbox/sqlite-outbox.js';
import { deferred, FakeRemote, hangUntilAborted, OK } from './helpers/fake-remote.js';
import { pdus } from './helpers/items.js';
import { ManualClock, settle } from './helpers/manual-clock.js';
import { tempDir } from './helpers/temp-dir.js';
import { harness, next } from './helpers/worker.js';

test('stop lets a request in flight finish within the grace period and files its 200', async (t) => {
	const { worker, remote, store } = harness(t);
	const gate = deferred<void>();
	remote.handler = async () => {
		await gate.promise;
		return OK;
	};
	await worker.start();
	await worker.enqueue('remote.test', pdus(0, 60));
	await settle();
	let stopped = false;
	const stopping = worker.stop().then(() => (stopped = true));
	await settle();
	t.false(stopped, 'stop waits for the request in flight');
	gate.resolve();
	await stopping;
	t.is(remote.calls.length, 1, 'no new transaction after stop');
	const [row] = await store.status();
	t.like(row, { deliveredItems: 50, pendingPdus: 10, inFlight: null });
});

test('a request still hanging when the grace period ends is aborted, and the next start re-sends the same txnId and body', async (t) => {
	const path = join(tempDir(t), 'o.db');
	const clock = new ManualClock();
	const remote = new FakeRemote();
	remote.handler = hangUntilAborted;
	const one = harness(t, { path, clock, remote, shutdownGraceMs: 5000 });
	await one.worker.start();
	await one.worker.enqueue('remote.test', pdus(0, 3));
	await settle();
	let stopped = false;
	const stopping = one.worker.stop().then(() => (stopped = true));
	await clock.advance(4999);
	t.false(stopped);
	await clock.advance(1);
	await stopping;
	t.true(remote.calls[0]!.signal.aborted);
	t.like((await one.store.status())[0], {
		inFlight: { txnId: remote.calls[0]!.txnId },
		backoff: { failureCount: 0 },
	});
	await one.store.close();

	remote.handler = () => OK;
	const two = harness(t, { store: openSqliteOutbox(path), clock, remote });
	const delivered = next(two.worker, 'delivered');
	await two.worker.start();
	await delivered;
	t.is(remote.calls.length, 2);
	t.is(remote.calls[1]!.txnId, remote.calls[0]!.txnId);
	t.is(remote.calls[1]!.body, remote.calls[0]!.body);
});

test('stop cuts a sleeping HTTP-level retry short without counting a failure', async (t) => {
	const { worker, remote, store } = harness(t);
	remote.handler = () => ({ status: 503, body: {} });
	await worker.start();
	await worker.enqueue('remote.test', pdus(0, 1));
	await settle();
	t.is(remote.calls.length, 1);
	await worker.stop();
	t.is(remote.calls.length, 1);
	t.like((await store.status())[0], { backoff: { failureCount: 0, retryInterval: 0 }, pendingPdus: 1 });
});

test('after stop, enqueued items are stored but nothing new is sent', async (t) => {
	const { worker, remote, store } = harness(t);
	await worker.start();
	await worker.stop();
	await worker.enqueue('remote.test', pdus(0, 1));
	await settle();
	t.is(remote.calls.length, 0);
	t.like((await store.status())[0], { pendingPdus: 1 });
});
