import test from 'ava';
import { edus, pdus } from './helpers/items.js';
import { deferred, OK } from './helpers/fake-remote.js';
import { harness, next } from './helpers/worker.js';
import { settle } from './helpers/manual-clock.js';
import { openSqliteOutbox } from '../src/outbox/sqlite-outbox.js';
import { join } from 'node:path';
import { tempDir } from './helpers/temp-dir.js';

test('everything enqueued for a destination arrives in order, 50 PDUs and 100 EDUs at most per transaction', async (t) => {
	const { worker, remote } = harness(t);
	await worker.start();
	const done = next(worker, 'delivered', (e) => e.pduCount === 20);
	await worker.enqueue('remote.test', pdus(0, 120));
	await worker.enqueue('remote.test', edus(0, 150));
	await done;
	t.deepEqual(
		remote.received('remote.test'),
		Array.from({ length: 120 }, (_, i) => `$e${i}`),
	);
	for (const call of remote.calls) {
		const body = JSON.parse(call.body);
		t.true(body.pdus.length <= 50 && (body.edus?.length ?? 0) <= 100);
		t.is(body.origin, 'origin.test');
	}
	t.is(remote.calls.length, 3);
});

test('a destination never has two transactions in flight, while other destinations proceed', async (t) => {
	const { worker, remote } = harness(t, { concurrency: 2 });
	const gates = new Map<string, ReturnType<typeof deferred<void>>>();
	remote.handler = async (call) => {
		const gate = deferred<void>();
		gates.set(call.txnId, gate);
		await gate.promise;
		return OK;
	};
	await worker.start();
	for (const destination of ['a.test', 'b.test', 'c.test']) {
		await worker.enqueue(destination, pdus(0, 60));
	}
	let delivered = 0;
	worker.on('delivered', () => delivered++);
	// Release held requests one by one until all six transactions (2 per destination) are through.
	for (;;) {
		await settle();
		if (delivered === 6) break;
		const open = [...gates.entries()];
		t.true(open.length > 0, 'some request is in flight');
		for (const [txnId, gate] of open) {
			gates.delete(txnId);
			gate.resolve();
		}
	}
	t.deepEqual([...remote.maxInFlight.values()], [1, 1, 1]);
	t.is(remote.maxTotalInFlight, 2);
	for (const destination of ['a.test', 'b.test', 'c.test']) {
		t.is(remote.received(destination).length, 60);
	}
});

test('items enqueued by another process are picked up by the poll', async (t) => {
	const path = join(tempDir(t), 'o.db');
	const { worker, clock, remote } = harness(t, { path, pollIntervalMs: 1000 });
	await worker.start();
	const cli = openSqliteOutbox(path);
	await cli.enqueue('remote.test', pdus(0, 2), clock.now());
	await cli.close();
	const done = next(worker, 'delivered');
	await clock.advance(1000);
	await done;
	t.deepEqual(remote.received('remote.test'), ['$e0', '$e1']);
});

test('work stored before start is delivered on start (catch-up from the outbox)', async (t) => {
	const path = join(tempDir(t), 'o.db');
	const before = openSqliteOutbox(path);
	await before.enqueue('remote.test', pdus(0, 70), 0);
	await before.close();
	const { worker, remote } = harness(t, { path });
	const done = next(worker, 'delivered', (e) => e.pduCount === 20);
	await worker.start();
	await done;
	t.is(remote.received('remote.test').length, 70);
});

test('per-PDU errors in a 200 are final: the transaction is not re-sent', async (t) => {
	const { worker, remote, store } = harness(t);
	remote.handler = () => ({ status: 200, body: { pdus: { $e1: { error: 'not allowed' } } } });
	await worker.start();
	const [event] = await Promise.all([next(worker, 'delivered'), worker.enqueue('remote.test', pdus(0, 2))]);
	t.deepEqual(
		event[0].summary.rejected.map((r) => r.eventId),
		['$e1'],
	);
	await settle();
	t.is(remote.calls.length, 1);
	t.like((await store.status())[0], { rejectedPdus: 1, deliveredItems: 1, pendingPdus: 0 });
});
