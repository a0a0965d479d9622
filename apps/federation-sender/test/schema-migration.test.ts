import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import pg from 'pg';
import { openSqlite } from '@homeserver/sqlite';
import { postgresMissing, startPostgres, type PostgresServer } from '@homeserver/testkit';
import { openPostgresOutbox } from '../src/outbox/postgres-outbox.js';
import { PG_SCHEMA_V1, PG_SCHEMA_V2, PG_SCHEMA_VERSION } from '../src/outbox/postgres-schema.js';
import { SCHEMA_V1 } from '../src/outbox/sqlite-schema.js';
import { openSqliteOutbox } from '../src/outbox/sqlite-outbox.js';
import type { OutboxStore } from '../src/outbox/types.js';
import { SPEC_LIMITS } from '../src/worker/delivery-worker.js';
import { pdu } from './helpers/items.js';
import { tempDir } from './helpers/temp-dir.js';

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;
const missing = postgresMissing();
let server: PostgresServer | undefined;

test.before(async () => {
	if (missing === null) server = await startPostgres({ port: 55_435 });
});
test.after.always(async () => {
	await server?.stop();
});

/** Rows an outbox of the previous schema holds: a delivered PDU (seq 1), two pending ones of room a (2, 3). */
const OLD_ROWS = [
	['1', 'remote.test', 'pdu', '$e1', pdu(1, '!a:o').json, String(NOW), 'delivered'],
	['2', 'remote.test', 'pdu', '$e2', pdu(2, '!a:o').json, String(NOW), 'pending'],
	['3', 'remote.test', 'pdu', '$e3', pdu(3, '!a:o').json, String(NOW), 'pending'],
] as const;

/** After migration: catch-up knows the old rows' rooms, and new rows get fresh sequence numbers. */
async function assertMigrated(t: ExecutionContext, store: OutboxStore, txnCounter = 0): Promise<void> {
	const [added] = await store.enqueue('remote.test', [pdu(4, '!b:o')], NOW);
	t.true(added!.seq > 9, 'the sequence continues after its high-water mark (9), even with rows pruned');
	const first = await store.nextTransaction('remote.test', 'origin.test', NOW, {
		...SPEC_LIMITS,
		maxPdus: 1,
	});
	t.true(Number(first!.txnId) > txnCounter, 'txnIds continue above the stored counter');
	await store.recordFailure(
		'remote.test',
		first!.txnId,
		'HTTP 502',
		{ failureTs: NOW, retryLastTs: NOW, retryInterval: 600_000, failureCount: 1 },
		NOW,
	);
	await store.enqueue('remote.test', [pdu(5, '!a:o')], NOW);
	const summary = await store.completeTransaction(
		'remote.test',
		first!.txnId,
		new Map(),
		'{}',
		NOW + 2 * HOUR,
		{
			catchUpAfterMs: HOUR,
		},
	);
	t.is(summary.superseded, 1, '$e3 (room a, migrated row) gives way to $e5');
	const next = await store.nextTransaction('remote.test', 'origin.test', NOW + 2 * HOUR, SPEC_LIMITS);
	t.deepEqual(
		(JSON.parse(next!.body) as { pdus: { event_id: string }[] }).pdus.map((p) => p.event_id),
		['$e4', '$e5'],
	);
	t.like((await store.status())[0], { deliveredItems: 2, supersededPdus: 1 });
}

test('sqlite: an outbox of schema version 1 is migrated on open, keeping its rows and sequence', async (t) => {
	const path = join(tempDir(t), 'outbox.db');
	const old = openSqlite(path, { busyTimeoutMs: 1000 });
	old.exec(SCHEMA_V1);
	old.pragma('user_version = 1');
	const insert = old.prepare(
		'INSERT INTO items (seq, destination, kind, event_id, json, enqueued_ts, state) VALUES (?, ?, ?, ?, ?, ?, ?)',
	);
	for (const row of OLD_ROWS)
		insert.run(Number(row[0]), row[1], row[2], row[3], row[4], Number(row[5]), row[6]);
	insert.run(9, 'remote.test', 'pdu', '$e9', pdu(9).json, NOW, 'delivered');
	old.exec('DELETE FROM items WHERE seq = 9'); // pruned: its seq must still never be used again
	old.close();
	const store = openSqliteOutbox(path);
	t.teardown(() => store.close());
	await assertMigrated(t, store);
	await store.close();
	const again = openSqlite(path, { busyTimeoutMs: 1000 });
	t.is(again.pragma('user_version', { simple: true }), 2);
	again.close();
});

(missing === null ? test : test.skip)(
	'postgres: an outbox of schema version 2 is migrated on open, keeping its rows and sequence',
	async (t) => {
		const database = await server!.createDatabase();
		const client = new pg.Client({ host: server!.host, port: server!.port, user: server!.user, database });
		await client.connect();
		t.teardown(() => client.end());
		await client.query(PG_SCHEMA_V1);
		await client.query(PG_SCHEMA_V2);
		await client.query("INSERT INTO federation_sender_meta (key, value) VALUES ('schema_version', '2')");
		// A txnId counter far ahead of the clock: txnIds after the migration continue above it.
		await client.query(
			"INSERT INTO federation_sender_meta (key, value) VALUES ('txn_counter', '5000000000000')",
		);
		for (const row of OLD_ROWS) {
			await client.query(
				'INSERT INTO federation_sender_items (seq, destination, kind, event_id, json, enqueued_ts, state) VALUES ($1, $2, $3, $4, $5, $6, $7)',
				[...row],
			);
		}
		await client.query("SELECT setval('federation_sender_items_seq_seq', 9)");
		const store = await openPostgresOutbox({
			host: server!.host,
			port: server!.port,
			user: server!.user,
			database,
			password: undefined,
		});
		t.teardown(() => store.close());
		await assertMigrated(t, store, 5_000_000_000_000);
		const version = await client.query(
			"SELECT value FROM federation_sender_meta WHERE key = 'schema_version'",
		);
		t.is((version.rows[0] as { value: string }).value, String(PG_SCHEMA_VERSION));
	},
);
