// Several `run` instances on one PostgreSQL outbox, end to end through a real Squid to two dozen testkit remote
// homeservers: destinations leased to the live instances, instances SIGKILLed mid-way, the survivors taking over.
import { isDeepStrictEqual } from 'node:util';
import test from 'ava';
import { openOutbox } from '../src/outbox/open-outbox.js';
import { openOutboxProducer } from '../src/producer/outbox-producer.js';
import { runFixture, type Child } from './helpers/child.js';
import { FLEET_ORIGIN, startFleet } from './helpers/fleet.js';
import { postgresMissing, startPostgres, type PostgresServer } from '@homeserver/testkit';

const missing = postgresMissing();
let server: PostgresServer | undefined;

if (missing !== null && Boolean(process.env['CI'])) {
	test('PostgreSQL is installed for the multi-instance tests', (t) => {
		t.fail(missing);
	});
}

test.before(async () => {
	if (missing === null) server = await startPostgres();
});
test.after.always(async () => {
	await server?.stop();
});

const REMOTES = 24;
const ROUNDS = 25;
const PER_ENQUEUE = 4; // 24 × 25 × 4 = 2,400 PDUs in all
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const eventIds = (list: readonly unknown[]): string[] =>
	list.map((pdu) => (pdu as { event_id: string }).event_id);
const running = (child: Child) => child.waitFor((line) => line.includes('"federation-sender running"'));

test.serial(
	'three instances share the work; two SIGKILLed mid-way; every PDU arrives once, in order per destination, and the survivor finishes',
	async (t) => {
		if (server === undefined) {
			t.pass(`skipped: ${missing ?? ''}`);
			return;
		}
		t.timeout(300_000); // bounded; generous because the machine is shared
		const fleet = await startFleet(t, server, REMOTES, ['  lease_ttl: 2s', '  poll_interval: 60s']);
		if (fleet === undefined) return;
		const names = ['alpha', 'bravo', 'charlie'];
		const children = new Map(
			names.map((name) => [name, runFixture(t, 'run-instance.ts', [fleet.configPath, name])]),
		);
		await Promise.all([...children.values()].map(running));
		const producer = await openOutboxProducer(fleet.config);
		const store = await openOutbox(fleet.config.federationSender.database);
		t.teardown(async () => {
			await producer.close();
			await store.close();
		});
		const holders = async (): Promise<Map<string, number>> => {
			const counts = new Map<string, number>();
			for (const row of await store.status()) {
				if (row.lease !== null) counts.set(row.lease.instance, (counts.get(row.lease.instance) ?? 0) + 1);
			}
			return counts;
		};
		const killed: string[] = [];
		const killBusiest = async (): Promise<void> => {
			const counts = await holders();
			const [busiest] = [...counts.entries()]
				.filter(([name]) => !killed.includes(name))
				.sort((a, b) => b[1] - a[1]);
			if (busiest === undefined) throw new Error('no instance holds a lease');
			killed.push(busiest[0]);
			children.get(busiest[0])!.process.kill('SIGKILL');
			await children.get(busiest[0])!.exited;
		};

		let spread = 0;
		const t0 = Date.now();
		for (let round = 0; round < ROUNDS; round++) {
			for (const remote of fleet.remotes) {
				await producer.enqueue(remote.serverName, {
					pdus: Array.from({ length: PER_ENQUEUE }, (_, i) => ({
						type: 'm.room.message',
						room_id: '!room:origin.test',
						event_id: `$${remote.port}-${round * PER_ENQUEUE + i}`,
						content: { body: `round ${round}` },
					})),
				});
			}
			if (round === 5) spread = (await holders()).size;
			if (round === 8 || round === 16) {
				const k0 = Date.now();
				await killBusiest();
				t.log(`killed ${killed.at(-1)} at ${k0 - t0} ms (took ${Date.now() - k0} ms)`);
			}
		}
		t.log(`enqueued in ${Date.now() - t0} ms`);
		t.true(spread >= 2, `destinations were spread over the live instances (${spread} held leases)`);

		// Bounded wait for the survivor (leases of the killed instances expire after lease_ttl: 2 s).
		const total = ROUNDS * PER_ENQUEUE;
		const expected = (port: number) => Array.from({ length: total }, (_, n) => `$${port}-${n}`);
		const done = () => fleet.remotes.every((remote) => remote.pdus(FLEET_ORIGIN).length >= total);
		for (let i = 0; i < 600 && !done(); i++) await sleep(100);
		// The remote has answered the last 200; wait (bounded) for the survivor to file it.
		const settled = async () =>
			(await store.status()).every((row) => row.pendingPdus === 0 && row.inFlight === null);
		for (let i = 0; i < 100 && !(await settled()); i++) await sleep(100);
		t.log(`all delivered ${Date.now() - t0} ms after the first enqueue`);

		for (const remote of fleet.remotes) {
			t.deepEqual(
				eventIds(remote.pdus(FLEET_ORIGIN)),
				expected(remote.port),
				`${remote.serverName}: once each, in order`,
			);
			const bodies = new Map<string, unknown>();
			for (const request of remote.requests.filter((r) =>
				r.path.startsWith('/_matrix/federation/v1/send/'),
			)) {
				const txnId = request.path.split('/').pop() ?? '';
				if (bodies.has(txnId))
					t.true(
						isDeepStrictEqual(bodies.get(txnId), request.content),
						'a re-sent txnId carries its stored body',
					);
				else bodies.set(txnId, request.content);
			}
		}
		t.is(killed.length, 2);
		const survivor = names.find((name) => !killed.includes(name))!;
		const rows = await store.status();
		t.true(
			rows.every((row) => row.pendingPdus === 0 && row.inFlight === null),
			'nothing is left to send',
		);
		t.true(
			rows.every((row) => row.lease === null || row.lease.instance === survivor),
			'only the survivor holds leases',
		);
		const child = children.get(survivor)!;
		child.process.kill('SIGTERM');
		t.is((await child.exited).code, 0, 'the survivor stops cleanly');
		t.deepEqual(await holders(), new Map(), 'a clean stop gives every lease back');
	},
);
