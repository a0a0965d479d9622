// End to end through a real Squid and the testkit's remote homeserver: signed, complete, ordered transactions on
// one reused tunnel; recovery after backoff; short retries of a destination Squid cannot reach; a 429's wait; a
// `run` process killed in the middle of a send.
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { pino } from 'pino';
import { openSqliteOutbox } from '../src/outbox/sqlite-outbox.js';
import { createFederationTransport } from '../src/transport/federation-transport.js';
import { DeliveryWorker, type DeliveryWorkerOptions } from '../src/worker/delivery-worker.js';
import { runFixture } from './helpers/child.js';
import { closedPort } from '@homeserver/testkit';
import { DESTINATION, ORIGIN, srvFor, startEnvironment, type Environment } from './helpers/e2e.js';
import { edus, pdus } from './helpers/items.js';
import { ManualClock, settle } from './helpers/manual-clock.js';
import { next, NO_JITTER } from './helpers/worker.js';

const silent = pino({ level: 'silent' });
const MIN = 60_000;

async function startWorker(
	t: ExecutionContext,
	env: Environment,
	options: Partial<DeliveryWorkerOptions> = {},
	transportOptions = env.transportOptions,
) {
	const transport = await createFederationTransport(env.config, silent, transportOptions);
	const store = openSqliteOutbox(join(env.dir, 'outbox.db'));
	const worker = new DeliveryWorker({
		store,
		origin: ORIGIN,
		send: transport.send,
		random: NO_JITTER,
		...options,
	});
	t.teardown(async () => {
		await worker.stop();
		await transport.close();
		await store.close();
	});
	return { worker, transport, store };
}

const eventIds = (list: readonly unknown[]): string[] =>
	list.map((pdu) => (pdu as { event_id: string }).event_id);
const range = (n: number): string[] => Array.from({ length: n }, (_, i) => `$e${i}`);
const sends = (env: Environment) =>
	env.remote.requests.filter((r) => r.path.startsWith('/_matrix/federation/v1/send/'));

test.serial(
	'transactions arrive through Squid signed, complete and in order, on one reused tunnel',
	async (t) => {
		const env = await startEnvironment(t);
		if (env === undefined) return;
		const { worker, transport } = await startWorker(t, env);
		await worker.enqueue(DESTINATION, pdus(0, 120));
		await worker.enqueue(DESTINATION, edus(0, 30));
		const done = next(worker, 'delivered', (event) => event.pduCount === 20);
		await worker.start();
		await done;

		t.deepEqual(eventIds(env.remote.pdus(ORIGIN)), range(120));
		t.is(env.remote.edus(ORIGIN).length, 30);
		t.deepEqual(
			env.remote.transactions.map((txn) => txn.pdus.length),
			[50, 50, 20],
		);
		t.is(env.remote.duplicates, 0);
		const requests = sends(env);
		t.is(requests.length, 3);
		for (const request of requests) {
			t.is(request.authorization, 'valid', request.rejection);
			t.is(request.origin, ORIGIN);
			t.is(request.method, 'PUT');
			t.is(request.headers.host, DESTINATION);
			t.is(request.servername, DESTINATION);
			t.is(request.status, 200);
		}
		t.is(new Set(requests.map((r) => r.connection)).size, 1, 'one TLS connection for every transaction');

		await worker.stop();
		await transport.close();
		const target = `${DESTINATION}:${env.remote.port}`;
		const log = await env.squid.readAccessLog({
			until: (entries) => entries.some((entry) => entry.method === 'CONNECT' && entry.url === target),
		});
		t.is(
			log.filter((entry) => entry.method === 'CONNECT' && entry.url === target).length,
			1,
			'one CONNECT tunnel',
		);
	},
);

test.serial(
	'a destination that fails is backed off, then recovers and receives the same transaction once',
	async (t) => {
		const env = await startEnvironment(t);
		if (env === undefined) return;
		const clock = new ManualClock(Date.now());
		const { worker } = await startWorker(t, env, {
			clock,
			pollIntervalMs: 24 * 3_600_000,
			httpRetry: { maxRetries: 2, base: 4, unitMs: 1000, maxDelayMs: 60_000, jitter: [0.8, 1.4] },
		});
		env.remote.failNext(3, 502);
		await worker.enqueue(DESTINATION, pdus(0, 5));
		const firstRetry = next(worker, 'retry');
		await worker.start();
		await firstRetry;
		const secondRetry = next(worker, 'retry');
		await clock.advance(4000);
		await secondRetry;
		const failed = next(worker, 'failed');
		await clock.advance(16_000);
		const [failure] = await failed;
		t.is(failure.retryAt, clock.now() + 10 * MIN);
		t.regex(failure.error, /^HTTP 502/);
		t.is(sends(env).length, 3);

		await clock.advance(10 * MIN - 1);
		await settle();
		t.is(sends(env).length, 3, 'nothing is sent while the backoff is in force');
		const delivered = next(worker, 'delivered');
		await clock.advance(1);
		await delivered;
		const requests = sends(env);
		t.is(requests.length, 4);
		t.is(new Set(requests.map((r) => r.url)).size, 1, 'every attempt used the same txnId');
		t.deepEqual(eventIds(env.remote.pdus(ORIGIN)), range(5));
		t.is(env.remote.transactions.length, 1);
	},
);

test.serial(
	"a destination Squid cannot reach (its 503 to CONNECT) gets the short retries, then the backoff",
	async (t) => {
		const env = await startEnvironment(t);
		if (env === undefined) return;
		const dead = await closedPort();
		const clock = new ManualClock(Date.now());
		const { worker } = await startWorker(
			t,
			env,
			{
				clock,
				pollIntervalMs: 24 * 3_600_000,
				httpRetry: { maxRetries: 1, base: 4, unitMs: 1000, maxDelayMs: 60_000, jitter: [0.8, 1.4] },
			},
			{ ...env.transportOptions, dns: srvFor(dead) },
		);
		await worker.enqueue(DESTINATION, pdus(0, 1));
		const retry = next(worker, 'retry');
		await worker.start();
		const [event] = await retry;
		t.regex(event.error, /^ERR_PROXY_REFUSED: .*503/);
		const failed = next(worker, 'failed');
		await clock.advance(4000);
		const [failure] = await failed;
		t.is(failure.retryAt, clock.now() + 10 * MIN);
		t.is(sends(env).length, 0, 'nothing reached the remote');
	},
);

test.serial(
	"a 429's retry_after_ms reaches the worker through the proxy and sets the retry delay",
	async (t) => {
		const env = await startEnvironment(t);
		if (env === undefined) return;
		const clock = new ManualClock(Date.now());
		const { worker } = await startWorker(t, env, { clock, pollIntervalMs: 24 * 3_600_000 });
		env.remote.answer429(30_000, 1);
		await worker.enqueue(DESTINATION, pdus(0, 1));
		const retry = next(worker, 'retry');
		await worker.start();
		const [event] = await retry;
		t.is(event.delayMs, 30_000);
		t.regex(event.error, /^HTTP 429 M_LIMIT_EXCEEDED/);
		const delivered = next(worker, 'delivered');
		await clock.advance(30_000);
		await delivered;
		t.deepEqual(eventIds(env.remote.pdus(ORIGIN)), ['$e0']);
	},
);

async function until(condition: () => boolean, what: string): Promise<void> {
	for (let i = 0; i < 600 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
	if (!condition()) throw new Error(`gave up waiting for ${what}`);
}

test.serial(
	'a run killed in the middle of a send delivers every PDU after restart, none twice',
	async (t) => {
		const env = await startEnvironment(t);
		if (env === undefined) return;
		const seed = openSqliteOutbox(join(env.dir, 'outbox.db'));
		await seed.enqueue(DESTINATION, pdus(0, 120), Date.now());
		await seed.close();
		const childEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
		const args = [env.configPath, String(env.remote.port)];

		env.remote.stall('forever', 1);
		const first = runFixture(t, 'run-cli.ts', args, childEnv);
		await until(() => env.remote.stalled === 1, 'the first transaction to reach the remote');
		first.process.kill('SIGKILL');
		await first.exited;
		env.remote.release(); // the remote may now apply the transaction the killed process never saw answered

		const second = runFixture(t, 'run-cli.ts', args, childEnv);
		await until(() => env.remote.pdus(ORIGIN).length >= 120, 'all PDUs to arrive');
		second.process.kill('SIGTERM');
		const exit = await second.exited;
		t.is(exit.code, 0, 'SIGTERM stops run cleanly');
		t.true(second.lines.some((line) => line.includes('"msg":"stopped"')));

		t.deepEqual(eventIds(env.remote.pdus(ORIGIN)), range(120), 'every PDU once, in order');
		const requests = sends(env);
		const stalledUrl = requests[0]!.url;
		t.true(
			requests.filter((r) => r.url === stalledUrl).length >= 2,
			'the interrupted transaction was re-sent',
		);
		// Whether the remote applied the abandoned request depends on when Squid closed its tunnel; either way the
		// re-send under the same txnId must not apply anything twice.
		t.true(env.remote.duplicates <= 1);
		const bodies = new Map<string, Set<string>>();
		for (const r of requests)
			bodies.set(r.url, (bodies.get(r.url) ?? new Set()).add(JSON.stringify(r.content)));
		t.true(
			[...bodies.values()].every((set) => set.size === 1),
			'a txnId always carries the same body',
		);
		t.true(requests.every((r) => r.authorization === 'valid'));
	},
);
