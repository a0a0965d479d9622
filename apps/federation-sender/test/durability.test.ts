import { join } from 'node:path';
import test from 'ava';
import { openSqliteOutbox } from '../src/outbox/sqlite-outbox.js';
import { SPEC_LIMITS } from '../src/worker/delivery-worker.js';
import { runFixture } from './helpers/child.js';
import { tempDir } from './helpers/temp-dir.js';

test('every enqueue acknowledged before a SIGKILL is in the outbox after reopening, in order', async (t) => {
	const path = join(tempDir(t), 'outbox.db');
	const child = runFixture(t, 'enqueue-loop.ts', [path]);
	await child.waitFor((line) => line.startsWith('ack ') && Number(line.split(' ')[1]) >= 300);
	child.process.kill('SIGKILL');
	t.is((await child.exited).signal, 'SIGKILL');
	const acked = child.lines.filter((line) => line.startsWith('ack ')).map((line) => line.split(' ')[2]);
	t.true(acked.length >= 300);

	const store = openSqliteOutbox(path);
	t.teardown(() => store.close());
	const stored: string[] = [];
	for (;;) {
		const txn = await store.nextTransaction('remote.test', 'origin.test', Date.now(), SPEC_LIMITS);
		if (txn === null) break;
		stored.push(...(JSON.parse(txn.body) as { pdus: { event_id: string }[] }).pdus.map((p) => p.event_id));
		await store.completeTransaction('remote.test', txn.txnId, new Map(), '{}', Date.now());
	}
	// Every acknowledged item is there, in enqueue order; at most the batch in progress at the kill is extra.
	t.deepEqual(stored.slice(0, acked.length), acked);
	t.true(stored.length - acked.length <= 3);
});
