import test from 'ava';
import pg from 'pg';
import { postgresMissing, startPostgres, type PostgresServer } from '@homeserver/testkit';
import { openPostgresOutbox, type PostgresOutbox } from '../src/outbox/postgres-outbox.js';
import { SPEC_LIMITS } from '../src/worker/delivery-worker.js';
import type { NewItem } from '../src/outbox/types.js';
import { pdus } from './helpers/items.js';

const missing = postgresMissing();
let server: PostgresServer | undefined;

test.before(async () => {
	if (missing === null) server = await startPostgres({ port: 55_434 });
});
test.after.always(async () => {
	await server?.stop();
});

const NOW = 1_700_000_000_000;
const run = missing === null ? test : test.skip;

async function open(t: { teardown(fn: () => Promise<void>): void }): Promise<{
	store: PostgresOutbox;
	database: string;
}> {
	const database = await server!.createDatabase();
	const store = await openPostgresOutbox({
		host: server!.host,
		port: server!.port,
		user: server!.user,
		database,
		password: undefined,
	});
	t.teardown(() => store.close());
	return { store, database };
}

run('write steps of many destinations asked for together share one durable commit', async (t) => {
	const { store } = await open(t);
	const before = store.commitStats;
	const names = Array.from({ length: 20 }, (_, i) => `d${i}.test`);
	await Promise.all(names.map((d, i) => store.enqueue(d, pdus(i, 1), NOW)));
	const built = await Promise.all(
		names.map((d) => store.nextTransaction(d, 'origin.test', NOW, SPEC_LIMITS)),
	);
	await Promise.all(built.map((txn) => store.markAttempt(txn!.destination, txn!.txnId, NOW)));
	await Promise.all(
		built.map((txn) => store.completeTransaction(txn!.destination, txn!.txnId, new Map(), '{}', NOW)),
	);
	const after = store.commitStats;
	t.is(after.steps - before.steps, 80);
	t.is(after.commits - before.commits, 4, 'one commit per wave of 20 steps');
	t.like((await store.status())[0], { destination: 'd0.test', deliveredItems: 1, pendingPdus: 0 });
});

run('a failing step in a shared commit fails alone; the others are committed', async (t) => {
	const { store, database } = await open(t);
	const broken = { kind: 'neither', json: '{}', eventId: null } as unknown as NewItem;
	const results = await Promise.allSettled([
		store.enqueue('a.test', pdus(0, 1), NOW),
		store.enqueue('b.test', [broken], NOW),
		store.enqueue('c.test', pdus(1, 1), NOW),
	]);
	t.deepEqual(
		results.map((r) => r.status),
		['fulfilled', 'rejected', 'fulfilled'],
	);
	t.like((results[1] as PromiseRejectedResult).reason, { code: 'ERR_DATABASE' });
	t.is(store.commitStats.commits, 1);
	// Read back on a connection of its own: what was acknowledged is committed.
	const client = new pg.Client({ host: server!.host, port: server!.port, user: server!.user, database });
	await client.connect();
	t.teardown(() => client.end());
	const rows = (await client.query('SELECT destination FROM federation_sender_items ORDER BY seq')).rows as {
		destination: string;
	}[];
	t.deepEqual(
		rows.map((r) => r.destination),
		['a.test', 'c.test'],
	);
});

run(
	'one destination’s steps commit in the order asked for, also when a later batch starts first',
	async (t) => {
		const { store, database } = await open(t);
		// Batch one: 50 other destinations, then zz.test (sorted last, so reached last). Batch two, asked for once
		// batch one is under way, holds only zz.test's next step: it must wait for batch one, not overtake it.
		const others = Array.from({ length: 50 }, (_, i) => store.enqueue(`d${i}.test`, pdus(100 + i, 1), NOW));
		const first = store.enqueue('zz.test', pdus(1, 1), NOW);
		await new Promise((resolve) => setImmediate(resolve));
		const second = store.enqueue('zz.test', pdus(2, 1), NOW);
		await Promise.all([...others, first, second]);
		const client = new pg.Client({ host: server!.host, port: server!.port, user: server!.user, database });
		await client.connect();
		t.teardown(() => client.end());
		const rows = (
			await client.query(
				"SELECT event_id FROM federation_sender_items WHERE destination = 'zz.test' ORDER BY seq",
			)
		).rows as { event_id: string }[];
		t.deepEqual(
			rows.map((r) => r.event_id),
			['$e1', '$e2'],
		);
	},
);
