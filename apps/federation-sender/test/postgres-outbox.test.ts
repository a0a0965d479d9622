import test from 'ava';
import { openOutbox } from '../src/outbox/open-outbox.js';
import type { OutboxStore } from '../src/outbox/types.js';
import { pdus } from './helpers/items.js';
import { outboxContract } from './helpers/outbox-contract.js';
import { harness, next } from './helpers/worker.js';
import { postgresMissing, startPostgres, type PostgresServer } from '@homeserver/testkit';

const missing = postgresMissing();
let server: PostgresServer | undefined;

// Without PostgreSQL the contract is skipped with the reason; in CI, which installs it, its absence is a failure.
if (missing !== null && Boolean(process.env['CI'])) {
	test('PostgreSQL is installed, as .ci/install-system-deps.sh does', (t) => {
		t.fail(missing);
	});
}

test.before(async () => {
	if (missing === null) server = await startPostgres();
});
test.after.always(async () => {
	await server?.stop();
});

function config(database: string) {
	return {
		kind: 'postgres',
		host: server!.host,
		port: server!.port,
		user: server!.user,
		database,
		password: undefined,
	} as const;
}

outboxContract(
	'postgres',
	async (t) => {
		const database = await server!.createDatabase();
		return async () => {
			const store: OutboxStore = await openOutbox(config(database));
			t.teardown(() => store.close());
			return store;
		};
	},
	missing,
);

if (missing === null) {
	test('postgres: a second run on the same outbox is refused while the first holds the run lock', async (t) => {
		const database = await server!.createDatabase();
		const one = await openOutbox(config(database));
		const two = await openOutbox(config(database));
		t.teardown(async () => {
			await one.close();
			await two.close();
		});
		const lock = await one.acquireRunLock();
		await t.throwsAsync(two.acquireRunLock(), { code: 'ERR_ALREADY_RUNNING' } as never);
		await lock.release();
		const again = await two.acquireRunLock();
		await again.release();
	});

	test('postgres: the worker delivers a backlog in order, one transaction at a time', async (t) => {
		const store = await openOutbox(config(await server!.createDatabase()));
		const { worker, remote } = harness(t, { store });
		await store.enqueue('remote.test', pdus(0, 120), 0);
		const done = next(worker, 'delivered', (event) => event.pduCount === 20);
		await worker.start();
		await done;
		t.deepEqual(
			remote.received('remote.test'),
			Array.from({ length: 120 }, (_, i) => `$e${i}`),
		);
		t.is(remote.maxInFlight.get('remote.test'), 1);
		t.like((await store.status())[0], { deliveredItems: 120, pendingPdus: 0 });
	});

	test('postgres: an unreachable database is ERR_DATABASE naming the problem', async (t) => {
		const error = await t.throwsAsync(openOutbox({ ...config('postgres'), host: `${server!.host}/nowhere` }));
		t.is((error as unknown as { code: string }).code, 'ERR_DATABASE');
		t.regex(error.message, /cannot reach the outbox database: connect ENOENT/);
	});
}
