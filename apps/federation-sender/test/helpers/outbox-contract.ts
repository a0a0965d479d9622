/**
 * The behaviour every outbox implementation must have, run against SQLite and PostgreSQL.
 */
import test, { type ExecutionContext } from 'ava';
import type { OutboxStore } from '../../src/outbox/types.js';
import { SPEC_LIMITS } from '../../src/worker/delivery-worker.js';
import { parseEdu } from '../../src/outbox/parse-items.js';
import { edu, edus, pdu, pdus } from './items.js';

/** Opens the same underlying database on every call (to test reopening). */
export type OpenStore = () => Promise<OutboxStore>;
/** Makes a fresh database for one test; null skips the suite. */
export type MakeOutbox = (t: ExecutionContext) => Promise<OpenStore>;

const NOW = 1_700_000_000_000;
const ORIGIN = 'origin.test';

interface Body {
	origin: string;
	origin_server_ts: number;
	pdus: { event_id: string }[];
	edus?: unknown[];
}

function parse(body: string): Body {
	return JSON.parse(body) as Body;
}

export function outboxContract(name: string, make: MakeOutbox, skipReason: string | null = null): void {
	const contract = (title: string, run: (t: ExecutionContext, open: OpenStore) => Promise<void>): void => {
		if (skipReason !== null) {
			test.skip(`${name}: ${title} (skipped: ${skipReason})`, () => undefined);
			return;
		}
		test(`${name}: ${title}`, async (t) => run(t, await make(t)));
	};

	contract(
		'a transaction takes the oldest 50 PDUs and 100 EDUs, in enqueue order, and the rest follow',
		async (t, open) => {
			const store = await open();
			await store.enqueue('remote.test', pdus(0, 120), NOW);
			await store.enqueue('remote.test', edus(0, 250), NOW);
			const sizes: [number, number][] = [];
			const seen: string[] = [];
			for (let i = 0; i < 5; i++) {
				const txn = await store.nextTransaction('remote.test', ORIGIN, NOW + i, SPEC_LIMITS);
				if (txn === null) break;
				const body = parse(txn.body);
				t.is(body.origin, ORIGIN);
				sizes.push([body.pdus.length, body.edus?.length ?? 0]);
				t.deepEqual([txn.pduCount, txn.eduCount], sizes.at(-1));
				seen.push(...body.pdus.map((p) => p.event_id));
				await store.completeTransaction('remote.test', txn.txnId, new Map(), '{"pdus":{}}', NOW + i);
			}
			t.deepEqual(sizes, [
				[50, 100],
				[50, 100],
				[20, 50],
			]);
			t.deepEqual(
				seen,
				Array.from({ length: 120 }, (_, i) => `$e${i}`),
			);
			await store.close();
		},
	);

	contract('edus is omitted from a transaction without EDUs, as Synapse sends it', async (t, open) => {
		const store = await open();
		await store.enqueue('remote.test', pdus(0, 1), NOW);
		const txn = await store.nextTransaction('remote.test', ORIGIN, NOW, SPEC_LIMITS);
		t.false(Object.hasOwn(parse(txn!.body), 'edus'));
		t.is(parse(txn!.body).origin_server_ts, NOW);
	});

	contract(
		'until it is completed, the open transaction comes back with the same txnId and byte-identical body, also after reopening',
		async (t, open) => {
			let store = await open();
			await store.enqueue('remote.test', pdus(0, 3), NOW);
			const first = await store.nextTransaction('remote.test', ORIGIN, NOW, SPEC_LIMITS);
			await store.enqueue('remote.test', pdus(3, 3), NOW + 1);
			const again = await store.nextTransaction('remote.test', ORIGIN, NOW + 60_000, SPEC_LIMITS);
			t.is(again!.txnId, first!.txnId);
			t.is(again!.body, first!.body);
			await store.markAttempt('remote.test', first!.txnId, NOW + 1);
			await store.close();
			store = await open();
			const afterRestart = await store.nextTransaction('remote.test', ORIGIN, NOW + 120_000, SPEC_LIMITS);
			t.is(afterRestart!.txnId, first!.txnId);
			t.is(afterRestart!.body, first!.body);
			t.is(afterRestart!.attempts, 1);
			await store.completeTransaction('remote.test', first!.txnId, new Map(), '{}', NOW + 2);
			const next = await store.nextTransaction('remote.test', ORIGIN, NOW + 3, SPEC_LIMITS);
			t.not(next!.txnId, first!.txnId);
			t.deepEqual(
				parse(next!.body).pdus.map((p) => p.event_id),
				['$e3', '$e4', '$e5'],
			);
			await store.close();
		},
	);

	contract('txnIds never repeat for a destination, even when the clock goes backwards', async (t, open) => {
		const store = await open();
		const ids = new Set<string>();
		for (let i = 0; i < 5; i++) {
			await store.enqueue('remote.test', pdus(i, 1), NOW);
			const txn = await store.nextTransaction('remote.test', ORIGIN, NOW - i * 1000, SPEC_LIMITS);
			ids.add(txn!.txnId);
			await store.completeTransaction('remote.test', txn!.txnId, new Map(), '{}', NOW);
		}
		t.is(ids.size, 5);
	});

	contract('destinations have separate queues and separate open transactions', async (t, open) => {
		const store = await open();
		await store.enqueue('a.test', pdus(0, 2), NOW);
		await store.enqueue('b.test', pdus(10, 2), NOW);
		const a = await store.nextTransaction('a.test', ORIGIN, NOW, SPEC_LIMITS);
		const b = await store.nextTransaction('b.test', ORIGIN, NOW, SPEC_LIMITS);
		t.deepEqual(
			parse(a!.body).pdus.map((p) => p.event_id),
			['$e0', '$e1'],
		);
		t.deepEqual(
			parse(b!.body).pdus.map((p) => p.event_id),
			['$e10', '$e11'],
		);
		t.deepEqual(
			(await store.pendingWork()).map((w) => w.destination),
			['a.test', 'b.test'],
		);
	});

	contract('per-PDU errors in a 200 are filed as final rejections and never re-sent', async (t, open) => {
		const store = await open();
		await store.enqueue('remote.test', pdus(0, 3), NOW);
		const txn = await store.nextTransaction('remote.test', ORIGIN, NOW, SPEC_LIMITS);
		const summary = await store.completeTransaction(
			'remote.test',
			txn!.txnId,
			new Map([
				['$e0', null],
				['$e1', 'Forbidden by server ACLs'],
			]),
			'{}',
			NOW,
		);
		t.is(summary.delivered, 2);
		t.deepEqual(
			summary.rejected.map((r) => [r.eventId, r.error]),
			[['$e1', 'Forbidden by server ACLs']],
		);
		t.is(await store.nextTransaction('remote.test', ORIGIN, NOW, SPEC_LIMITS), null);
		const [row] = await store.status();
		t.like(row, {
			destination: 'remote.test',
			pendingPdus: 0,
			deliveredItems: 2,
			rejectedPdus: 1,
			inFlight: null,
		});
	});

	contract('a failure is stored with its backoff and shown by status; a 200 clears it', async (t, open) => {
		const store = await open();
		await store.enqueue('remote.test', pdus(0, 2), NOW);
		await store.enqueue('remote.test', edus(0, 1), NOW);
		const txn = await store.nextTransaction('remote.test', ORIGIN, NOW, SPEC_LIMITS);
		await store.markAttempt('remote.test', txn!.txnId, NOW);
		const backoff = { failureTs: NOW, retryLastTs: NOW, retryInterval: 600_000, failureCount: 1 };
		await store.recordFailure('remote.test', txn!.txnId, 'HTTP 502', backoff, NOW);
		t.deepEqual(await store.getBackoff('remote.test'), backoff);
		const [row] = await store.status();
		t.like(row, {
			pendingPdus: 2,
			pendingEdus: 1,
			lastError: 'HTTP 502',
			backoff,
			inFlight: { txnId: txn!.txnId, attempts: 1, pduCount: 2, eduCount: 1, lastError: 'HTTP 502' },
		});
		t.deepEqual(await store.pendingWork(), [{ destination: 'remote.test', backoff }]);
		await store.completeTransaction('remote.test', txn!.txnId, new Map(), '{}', NOW + 1);
		t.like(await store.getBackoff('remote.test'), { retryInterval: 0, failureCount: 0 });
		t.like((await store.status())[0], { lastSuccessTs: NOW + 1, lastError: null });
	});

	contract(
		'ephemeral EDUs older than their max age are dropped instead of sent; other EDUs and young ones go',
		async (t, open) => {
			const store = await open();
			const typing = (n: number) => parseEdu({ edu_type: 'm.typing', content: { n } });
			const device = parseEdu({ edu_type: 'm.direct_to_device', content: { n: 0 } });
			await store.enqueue('remote.test', [typing(1), device], NOW - 120_000);
			await store.enqueue('remote.test', [typing(2)], NOW - 1000);
			const ephemeralEdus = { types: ['m.typing', 'm.receipt'], maxAgeMs: 60_000 };
			const txn = await store.nextTransaction('remote.test', ORIGIN, NOW, SPEC_LIMITS, { ephemeralEdus });
			t.deepEqual(parse(txn!.body).edus, [
				{ edu_type: 'm.direct_to_device', content: { n: 0 } },
				{ edu_type: 'm.typing', content: { n: 2 } },
			]);
			t.like((await store.status())[0], { rejectedPdus: 0, expiredEdus: 1, pendingEdus: 2 });
		},
	);

	contract(
		'finished rows older than the retention are pruned; pending and young ones stay',
		async (t, open) => {
			const store = await open();
			await store.enqueue('remote.test', pdus(0, 3), NOW);
			const old = await store.nextTransaction('remote.test', ORIGIN, NOW, SPEC_LIMITS);
			await store.completeTransaction('remote.test', old!.txnId, new Map(), '{}', NOW);
			await store.enqueue('remote.test', pdus(3, 2), NOW);
			const young = await store.nextTransaction('remote.test', ORIGIN, NOW, SPEC_LIMITS);
			await store.completeTransaction('remote.test', young!.txnId, new Map(), '{}', NOW + 10_000);
			await store.enqueue('remote.test', pdus(5, 1), NOW);
			t.deepEqual(await store.size(), { items: 6, transactions: 2 });
			t.is(await store.prune(NOW + 5000), 4, 'three items and their transaction');
			t.deepEqual(await store.size(), { items: 3, transactions: 1 });
			t.like((await store.status())[0], { pendingPdus: 1, deliveredItems: 2 });
		},
	);

	/** One PDU to room A goes out and fails at NOW; while the destination is down, more PDUs and EDUs queue up. */
	const outage = async (store: OutboxStore): Promise<string> => {
		await store.enqueue('remote.test', [pdu(0, '!a:o')], NOW);
		const open = await store.nextTransaction('remote.test', ORIGIN, NOW, SPEC_LIMITS);
		await store.markAttempt('remote.test', open!.txnId, NOW);
		const backoff = { failureTs: NOW, retryLastTs: NOW, retryInterval: 600_000, failureCount: 1 };
		await store.recordFailure('remote.test', open!.txnId, 'HTTP 502', backoff, NOW);
		const rooms = ['!a:o', '!b:o', '!a:o', '!c:o', '!b:o'];
		for (const [i, room] of rooms.entries())
			await store.enqueue('remote.test', [pdu(i + 1, room), edu(i)], NOW + i);
		return open!.body;
	};
	const HOUR = 3_600_000;

	contract(
		'back after failing longer than the catch-up threshold, the retried transaction is sent as stored, then only the newest queued PDU of each room, in order',
		async (t, open) => {
			const store = await open();
			const storedBody = await outage(store);
			const back = NOW + 2 * HOUR;
			const retried = await store.nextTransaction('remote.test', ORIGIN, back, SPEC_LIMITS);
			t.is(retried!.body, storedBody, 'never rebuilt');
			const summary = await store.completeTransaction('remote.test', retried!.txnId, new Map(), '{}', back, {
				catchUpAfterMs: HOUR,
			});
			t.like(summary, { delivered: 1, superseded: 2 });
			const next = await store.nextTransaction('remote.test', ORIGIN, back, SPEC_LIMITS);
			t.deepEqual(
				parse(next!.body).pdus.map((p) => p.event_id),
				['$e3', '$e4', '$e5'],
				'$e1 (room a) and $e2 (room b) are superseded by newer PDUs of their rooms',
			);
			t.is(parse(next!.body).edus?.length, 5, 'EDUs are not affected');
			t.like((await store.status())[0], {
				supersededPdus: 2,
				pendingPdus: 3,
				deliveredItems: 1,
				rejectedPdus: 0,
			});
			await store.completeTransaction('remote.test', next!.txnId, new Map(), '{}', back + 1, {
				catchUpAfterMs: HOUR,
			});
			t.is(await store.nextTransaction('remote.test', ORIGIN, back + 2, SPEC_LIMITS), null);
			t.is(await store.prune(back + 2), 13, '6 PDUs (2 of them superseded), 5 EDUs and 2 transactions');
			t.deepEqual(await store.size(), { items: 0, transactions: 0 });
		},
	);

	contract(
		'back within the catch-up threshold (or without one), a destination gets every queued PDU, oldest first',
		async (t, open) => {
			const store = await open();
			await outage(store);
			const back = NOW + HOUR;
			const retried = await store.nextTransaction('remote.test', ORIGIN, back, SPEC_LIMITS);
			const summary = await store.completeTransaction('remote.test', retried!.txnId, new Map(), '{}', back, {
				catchUpAfterMs: HOUR,
			});
			t.is(summary.superseded, 0);
			const next = await store.nextTransaction('remote.test', ORIGIN, back, SPEC_LIMITS);
			t.deepEqual(
				parse(next!.body).pdus.map((p) => p.event_id),
				['$e1', '$e2', '$e3', '$e4', '$e5'],
			);
			t.like((await store.status())[0], { supersededPdus: 0 });
		},
	);

	contract(
		'without a catch-up threshold, even a week-long outage is caught up oldest first',
		async (t, open) => {
			const store = await open();
			await outage(store);
			const back = NOW + 7 * 24 * HOUR;
			const retried = await store.nextTransaction('remote.test', ORIGIN, back, SPEC_LIMITS);
			t.like(await store.completeTransaction('remote.test', retried!.txnId, new Map(), '{}', back), {
				superseded: 0,
			});
			const next = await store.nextTransaction('remote.test', ORIGIN, back, SPEC_LIMITS);
			t.is(parse(next!.body).pdus.length, 5);
		},
	);
}
