// A refusal by federation_domain_whitelist holds only while the configuration that caused it runs: after a restart
// with the destination listed it is retried at once (no stored days-long backoff), and a destination the new
// configuration refuses is refused at once instead of waiting out an older backoff. For both outboxes.
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { loadConfig } from '@homeserver/config';
import { routerFor, type Router } from '@homeserver/outbound-http';
import { postgresMissing, startPostgres, type PostgresServer } from '@homeserver/testkit';
import { DEFAULT_BACKOFF_POLICY } from '../src/backoff/policy.js';
import { openOutbox } from '../src/outbox/open-outbox.js';
import { openSqliteOutbox } from '../src/outbox/sqlite-outbox.js';
import type { OutboxStore } from '../src/outbox/types.js';
import type { SendTransaction } from '../src/worker/types.js';
import { FakeRemote, OK } from './helpers/fake-remote.js';
import { pdus } from './helpers/items.js';
import { ManualClock, settle } from './helpers/manual-clock.js';
import { tempDir } from './helpers/temp-dir.js';
import { harness, next } from './helpers/worker.js';

const missing = postgresMissing();
let server: PostgresServer | undefined;
test.before(async () => {
	if (missing === null) server = await startPostgres();
});
test.after.always(async () => {
	await server?.stop();
});

/** Opens the same outbox again for each `run` (a restart). */
type Reopen = () => Promise<OutboxStore>;

const sqlite = (t: ExecutionContext): Reopen => {
	const path = join(tempDir(t), 'outbox.db');
	return () => Promise.resolve(openSqliteOutbox(path));
};
const postgres = async (): Promise<Reopen> => {
	const database = await server!.createDatabase();
	const { host, port, user } = server!;
	return () => openOutbox({ kind: 'postgres', host, port, user, database, password: undefined });
};

/** The router of a configuration with this whitelist (none: federate with everyone). */
const routerWith = (whitelist?: string): Router =>
	routerFor(
		loadConfig({
			env: {},
			cwd: '/',
			yamlText:
				whitelist === undefined ? 'server_name: origin.test' : `federation_domain_whitelist: [${whitelist}]`,
		}),
	);

/** A `run` of the configuration behind `router`: its transport refuses unlisted destinations before any I/O. */
function run(
	t: ExecutionContext,
	store: OutboxStore,
	router: Router,
	clock: ManualClock,
	remote: FakeRemote,
) {
	const send: SendTransaction = (destination, ...rest) => {
		router.assertFederationAllowed(destination);
		return remote.send(destination, ...rest);
	};
	return harness(t, { store, clock, remote, send, federation: router }).worker;
}

const scenarios: [string, (t: ExecutionContext) => Reopen | Promise<Reopen>][] = [['sqlite', sqlite]];
if (missing === null) scenarios.push(['postgres', postgres]);
else test(`postgres: skipped (${missing})`, (t) => t.pass());

for (const [kind, outbox] of scenarios) {
	test(`${kind}: a destination refused by the whitelist is sent to at once after a restart that lists it`, async (t) => {
		const reopen = await outbox(t);
		const clock = new ManualClock();
		const remote = new FakeRemote();
		const first = run(t, await reopen(), routerWith('friend.test'), clock, remote);
		await first.start();
		const denied = next(first, 'failed');
		await first.enqueue('stranger.test', pdus(0, 2));
		const [refusal] = await denied;
		t.regex(refusal.error, /^ERR_FEDERATION_DENIED/);
		t.is(refusal.retryAt, clock.now() + DEFAULT_BACKOFF_POLICY.maxIntervalMs, 'not retried while it runs');
		await first.stop();

		const store = await reopen();
		const [status] = await store.status();
		t.regex(status?.lastError ?? '', /^ERR_FEDERATION_DENIED/, 'status still shows why');
		const second = run(t, store, routerWith('friend.test, stranger.test'), clock, remote);
		const delivered = next(second, 'delivered');
		await second.start();
		await delivered; // the clock never moved: no backoff was waited out
		t.deepEqual(remote.received('stranger.test'), ['$e0', '$e1']);
	});

	test(`${kind}: a destination the new whitelist refuses is refused at once, not after its older backoff`, async (t) => {
		const reopen = await outbox(t);
		const clock = new ManualClock();
		const remote = new FakeRemote();
		remote.handler = () => ({ status: 400, body: { errcode: 'M_UNKNOWN' } });
		const first = run(t, await reopen(), routerWith(), clock, remote);
		await first.start();
		const failed = next(first, 'failed');
		await first.enqueue('stranger.test', pdus(0, 1));
		const [failure] = await failed;
		t.is(failure.retryAt, clock.now() + DEFAULT_BACKOFF_POLICY.minIntervalMs, 'a normal backoff');
		await first.stop();

		remote.handler = () => OK;
		const sentBefore = remote.calls.length;
		const second = run(t, await reopen(), routerWith('friend.test'), clock, remote);
		const refused = next(second, 'failed');
		await second.start();
		const [refusal] = await refused; // the clock never moved
		t.regex(refusal.error, /^ERR_FEDERATION_DENIED/);
		await settle();
		t.is(remote.calls.length, sentBefore, 'nothing was sent');
	});
}
