// The PostgreSQL outbox shared by several processes: LISTEN/NOTIFY wake-up, and enqueues (each opening the outbox
// as the CLI does) running beside a worker without a deadlock or any failed enqueue.
import { loadConfig, type Config } from '@homeserver/config';
import test from 'ava';
import { openOutbox } from '../src/outbox/open-outbox.js';
import type { OutboxStore } from '../src/outbox/types.js';
import { openOutboxProducer } from '../src/producer/outbox-producer.js';
import { DeliveryWorker } from '../src/worker/delivery-worker.js';
import { rendezvousOwner } from '../src/worker/lease-keeper.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { next } from './helpers/worker.js';
import { postgresMissing, startPostgres, type PostgresServer } from '@homeserver/testkit';

const missing = postgresMissing();
let server: PostgresServer | undefined;

if (missing !== null && Boolean(process.env['CI'])) {
	test('PostgreSQL is installed for the shared-outbox tests', (t) => {
		t.fail(missing);
	});
}

test.before(async () => {
	if (missing === null) server = await startPostgres();
});
test.after.always(async () => {
	await server?.stop();
});

async function setup(): Promise<Config> {
	const database = await server!.createDatabase();
	return loadConfig({
		env: {},
		yamlText: `server_name: origin.test
federation_sender:
  database: {name: psycopg2, args: {host: "${server!.host}", port: ${server!.port}, user: ${server!.user}, database: ${database}}}
`,
	});
}

const pdu = (id: string) => ({
	type: 'm.room.message',
	room_id: '!r:origin.test',
	event_id: id,
	content: {},
});

function startWorker(store: OutboxStore, instance: string, sent: string[]) {
	return new DeliveryWorker({
		store,
		origin: 'origin.test',
		pollIntervalMs: 3_600_000,
		leases: { table: store.leases!, instance, ttlMs: 3_600_000 },
		send: (_destination, _txnId, body) => {
			for (const event of (JSON.parse(body) as { pdus: { event_id: string }[] }).pdus)
				sent.push(event.event_id);
			return Promise.resolve({ status: 200, body: { pdus: {} } });
		},
	});
}

test.serial(
	'an idle instance is woken by NOTIFY and delivers a PDU enqueued by another connection, with hour-long poll and heartbeat',
	async (t) => {
		if (server === undefined) return t.pass(`skipped: ${missing ?? ''}`);
		const config = await setup();
		const store = await openOutbox(config.federationSender.database);
		const sent: string[] = [];
		const worker = startWorker(store, 'solo', sent);
		t.teardown(async () => {
			await worker.stop();
			await store.close();
		});
		await worker.start();
		const producer = await openOutboxProducer(config);
		t.teardown(() => producer.close());
		const delivered = next(worker, 'delivered');
		await producer.enqueue('remote.test', { pdus: [pdu('$one')] });
		t.like((await delivered)[0], { destination: 'remote.test', pduCount: 1 });
		t.deepEqual(sent, ['$one']);
		t.is(
			(await store.status())[0]?.lease?.instance,
			'solo',
			'status names the instance holding the destination',
		);
	},
);

test.serial(
	'one run and two concurrent enqueue loops, each opening the outbox like the CLI: no enqueue fails, all is delivered in order',
	async (t) => {
		if (server === undefined) return t.pass(`skipped: ${missing ?? ''}`);
		const config = await setup();
		const store = await openOutbox(config.federationSender.database);
		const sent: string[] = [];
		const worker = startWorker(store, 'runner', sent);
		const faults: unknown[] = [];
		worker.on('fault', ({ error }) => faults.push(error));
		t.teardown(async () => {
			await worker.stop();
			await store.close();
		});
		await worker.start();
		const PER_LOOP = 60;
		const loop = async (name: string): Promise<number> => {
			let failures = 0;
			for (let i = 0; i < PER_LOOP; i++) {
				try {
					const producer = await openOutboxProducer(config); // opens (and checks the schema) every time
					try {
						await producer.enqueue(`${i % 3}.example`, { pdus: [pdu(`$${name}-${i}`)] });
					} finally {
						await producer.close();
					}
				} catch (error) {
					failures++;
					t.log(String(error));
				}
			}
			return failures;
		};
		t.deepEqual(await Promise.all([loop('a'), loop('b')]), [0, 0], 'no enqueue failed');
		for (let i = 0; i < 200 && sent.length < 2 * PER_LOOP; i++) await new Promise((r) => setTimeout(r, 50));
		t.is(sent.length, 2 * PER_LOOP, 'every PDU was sent once');
		for (const name of ['a', 'b']) {
			for (const d of [0, 1, 2]) {
				const mine = sent.filter((id) => id.startsWith(`$${name}-`) && Number(id.split('-')[1]) % 3 === d);
				t.deepEqual(
					mine,
					[...mine].sort((x, y) => Number(x.split('-')[1]) - Number(y.split('-')[1])),
					'in enqueue order per destination',
				);
			}
		}
		t.deepEqual(faults, [], 'the worker hit no database error');
	},
);

test.serial(
	'an instance that joins gets the destinations it owns from the running holder at once, with hour-long heartbeats',
	async (t) => {
		if (server === undefined) return t.pass(`skipped: ${missing ?? ''}`);
		const config = await setup();
		const destinations = Array.from({ length: 12 }, (_, i) => `d${i}.example`);
		const ownedByBeta = new Set(destinations.filter((d) => rendezvousOwner(d, ['alpha', 'beta']) === 'beta'));
		t.true(ownedByBeta.size > 0 && ownedByBeta.size < destinations.length, 'the names split between the two');
		const sentBy = { alpha: [] as string[], beta: [] as string[] };
		const stores = [await openOutbox(config.federationSender.database)];
		const alpha = startWorker(stores[0]!, 'alpha', sentBy.alpha);
		const workers = [alpha];
		t.teardown(async () => {
			for (const worker of workers) await worker.stop();
			for (const store of stores) await store.close();
		});
		await alpha.start();
		const producer = await openOutboxProducer(config);
		t.teardown(() => producer.close());
		for (const d of destinations) await producer.enqueue(d, { pdus: [pdu(`$first-${d}`)] });
		for (let i = 0; i < 200 && sentBy.alpha.length < destinations.length; i++) await sleep(25);
		t.is(sentBy.alpha.length, destinations.length, 'alone, alpha delivers to every destination');

		stores.push(await openOutbox(config.federationSender.database));
		const beta = startWorker(stores[1]!, 'beta', sentBy.beta);
		workers.push(beta);
		await beta.start();
		// Alpha hears beta join and gives back what beta owns, long before its next heartbeat (an hour).
		const heldBy = async (): Promise<Map<string, string | undefined>> =>
			new Map((await stores[0]!.status()).map((row) => [row.destination, row.lease?.instance]));
		for (let i = 0; i < 200; i++) {
			const held = await heldBy();
			if ([...ownedByBeta].every((d) => held.get(d) !== 'alpha')) break;
			await sleep(25);
		}
		const held = await heldBy();
		t.deepEqual(
			[...ownedByBeta].filter((d) => held.get(d) === 'alpha'),
			[],
			'alpha holds none of beta’s destinations',
		);

		for (const d of destinations) await producer.enqueue(d, { pdus: [pdu(`$second-${d}`)] });
		const total = (): number => sentBy.alpha.length + sentBy.beta.length;
		for (let i = 0; i < 200 && total() < 2 * destinations.length; i++) await sleep(25);
		t.deepEqual(
			sentBy.beta.sort(),
			[...ownedByBeta].map((d) => `$second-${d}`).sort(),
			'beta delivered the second PDU of each destination it owns',
		);
		t.is(total(), 2 * destinations.length, 'every PDU was sent once');
	},
);
