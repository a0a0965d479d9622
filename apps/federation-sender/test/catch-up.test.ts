import test, { type ExecutionContext } from 'ava';
import { OK, refused } from './helpers/fake-remote.js';
import { edu, pdu } from './helpers/items.js';
import { settle } from './helpers/manual-clock.js';
import { harness } from './helpers/worker.js';
import type { WorkerEventMap } from '../src/worker/types.js';

const MIN = 60_000;

/** A destination refuses for `outageMin` minutes while PDUs of rooms a and b queue up, then answers again. */
async function outage(t: ExecutionContext, catchUpAfterMs: number | null, outageMin: number) {
	const h = harness(t, { catchUpAfterMs });
	const delivered: WorkerEventMap['delivered'][0][] = [];
	h.worker.on('delivered', (event) => delivered.push(event));
	h.remote.handler = refused;
	await h.worker.start();
	await h.worker.enqueue('remote.test', [pdu(0, '!a:o')]);
	await settle(); // the transaction with $e0 is stored and failing
	await h.worker.enqueue('remote.test', [
		pdu(1, '!a:o'),
		pdu(2, '!b:o'),
		pdu(3, '!a:o'),
		pdu(4, '!b:o'),
		edu(0),
	]);
	for (let i = 0; i < outageMin; i++) await h.clock.advance(MIN);
	h.remote.handler = () => OK;
	// Backoffs of 10, 20 and 40 minutes: the next retry comes within the following 40 minutes.
	for (let i = 0; i < 60 && (await h.store.status())[0]!.pendingPdus > 0; i++) await h.clock.advance(MIN);
	return { ...h, delivered };
}

test('a destination back after failing for over an hour gets its stored transaction, then only the newest PDU of each room', async (t) => {
	const { remote, store, delivered } = await outage(t, 60 * MIN, 65);
	t.deepEqual(remote.received('remote.test'), ['$e0', '$e3', '$e4']);
	t.is(
		new Set(remote.calls.filter((c) => c.body.includes('"$e0"')).map((c) => c.body)).size,
		1,
		'never rebuilt',
	);
	t.deepEqual(
		delivered.map((d) => [d.pduCount, d.eduCount, d.summary.superseded]),
		[
			[1, 0, 2],
			[2, 1, 0],
		],
	);
	t.like((await store.status())[0], { supersededPdus: 2, deliveredItems: 4, pendingPdus: 0, pendingEdus: 0 });
});

test('a destination back within the catch-up threshold gets every queued PDU, oldest first', async (t) => {
	const { remote, store } = await outage(t, 60 * MIN, 25);
	t.deepEqual(remote.received('remote.test'), ['$e0', '$e1', '$e2', '$e3', '$e4']);
	t.like((await store.status())[0], { supersededPdus: 0, deliveredItems: 6 });
});
