// Slow remotes cannot take the federation sender from everybody else (issue 13): 32 server names dripping their
// `.well-known`, 4 whose SRV target completes TLS and never sends headers, 4 whose SRV target accepts TCP and never
// answers TLS, beside one good destination enqueued last. The real worker on a SQLite outbox, short configured
// deadlines, through the real Squid and direct. Everything on 127.0.0.1 (names mapped by the test's lookup, SRV
// answers and Squid's hosts file).
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import test from 'ava';
import { configFrom, mapLookup, testPki } from './helpers/stack.js';
import { appDir, appsCanRun, waitFor } from './helpers/app-env.js';
import { guardViolations } from './helpers/socket-guard.js';
import { startBlackHole, startSilentTlsServer, startWellKnownServer } from './helpers/slow-remotes.js';
import type { WellKnownBehaviour } from './helpers/slow-remotes.js';
import { slowFederationStack } from './helpers/slow-federation-stack.js';
import { parsePdu } from '@homeserver/federation-sender';
import { createTestResolver, startRemoteHomeserver, startSquid } from '@homeserver/testkit';
import type { SrvRecord } from '@homeserver/federation';

const ORIGIN = 'origin.test';
const GOOD = 'good.remote.test';
const DRIPPING = 32;
const MUTE = 4;
const STALLED = 4;
/** The configured bounds (ms and slots), short so that the test takes seconds. */
const LIMITS = { send: 4000, wellKnown: 800, srv: 1000, sends: 4, resolutions: 8 } as const;

const drip = (i: number): string => `drip${i}.remote.test`;
const mute = (i: number): string => `mute${i}.remote.test`;
const stalled = (i: number): string => `stall${i}.remote.test`;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

async function scenario(t: ExecutionContext, route: 'direct' | 'squid'): Promise<void> {
	t.timeout(120_000);
	if (route === 'squid' && !(await appsCanRun(t))) return;
	const { dir, key } = await appDir(t, `slow-federation-${route}`);
	const { destination: tls } = await testPki();
	const good = await startRemoteHomeserver({
		serverName: GOOD,
		tls,
		keys: { [ORIGIN]: { keyId: key.keyId, publicKeyBase64: key.publicKeyBase64 } },
	});
	const hole = await startBlackHole();
	const silent = await startSilentTlsServer(tls);
	const behaviour = (host: string): WellKnownBehaviour | undefined =>
		host === GOOD
			? { delegate: `${GOOD}:${good.port}` }
			: host.startsWith('drip')
				? { drip: true }
				: { status: 404 };
	const wellKnown = await startWellKnownServer(tls, behaviour);
	t.teardown(() => Promise.all([good.close(), hole.close(), silent.close(), wellKnown.close()]));

	const target = (name: string, port: number): SrvRecord[] => [{ name, port, priority: 0, weight: 0 }];
	const srv: Record<string, SrvRecord[]> = {};
	for (const i of range(DRIPPING)) {
		srv[`_matrix-fed._tcp.${drip(i)}`] =
			i % 2 === 0 ? target('hole.remote.test', hole.port) : target('silent.remote.test', silent.port);
	}
	for (const i of range(MUTE)) srv[`_matrix-fed._tcp.${mute(i)}`] = target('silent.remote.test', silent.port);
	for (const i of range(STALLED))
		srv[`_matrix-fed._tcp.${stalled(i)}`] = target('hole.remote.test', hole.port);
	const slow = [...range(DRIPPING).map(drip), ...range(MUTE).map(mute), ...range(STALLED).map(stalled)];
	const names = [...slow, GOOD, 'hole.remote.test', 'silent.remote.test'];
	const hosts = Object.fromEntries(names.map((name) => [name, '127.0.0.1']));

	let proxyYaml = 'ip_range_whitelist: ["127.0.0.1"]\n';
	let squid: Awaited<ReturnType<typeof startSquid>> | undefined;
	if (route === 'squid') {
		squid = await startSquid({ hosts });
		t.teardown(() => squid?.close());
		proxyYaml = `https_proxy: ${JSON.stringify(squid.url)}\n`;
	}
	const config = configFrom(
		`server_name: ${ORIGIN}\n` +
			`federation_custom_ca_list: [${JSON.stringify(join(dir, 'ca.pem'))}]\n` +
			proxyYaml +
			'federation_sender:\n' +
			`  database: {name: sqlite3, args: {database: ${JSON.stringify(join(dir, 'outbox.db'))}}}\n` +
			`  send_timeout_ms: ${LIMITS.send}\n  well_known_timeout_ms: ${LIMITS.wellKnown}\n` +
			`  srv_timeout_ms: ${LIMITS.srv}\n  max_concurrent_sends: ${LIMITS.sends}\n` +
			`  max_concurrent_resolutions: ${LIMITS.resolutions}\n`,
	);
	const lookup = mapLookup(Object.fromEntries(names.map((name) => [name, ['127.0.0.1']])));
	const stack = slowFederationStack(config, {
		lookup,
		dns: createTestResolver({ srv }),
		wellKnownPort: wellKnown.port,
		signingKey: key,
	});
	let closed = false;
	t.teardown(async () => {
		if (!closed) await stack.close();
	});
	const { worker } = stack;
	const attempts = new Map<string, number>();
	const failures = new Map<string, string>();
	let inFlightAtDelivery: string[] = [];
	let failedBeforeGood = 0;
	worker.on('attempt', ({ destination }) => attempts.set(destination, (attempts.get(destination) ?? 0) + 1));
	worker.on('failed', ({ destination, error }) => failures.set(destination, error));
	const delivered = new Promise<number>((resolve) =>
		worker.on('delivered', ({ destination }) => {
			if (destination !== GOOD) return;
			inFlightAtDelivery = worker.inFlight;
			failedBeforeGood = failures.size;
			resolve(Date.now());
		}),
	);
	const pdu = (to: string) =>
		parsePdu({ type: 'm.room.message', room_id: '!r:origin.test', event_id: `$for-${to}`, content: { to } });

	await worker.start();
	const started = Date.now();
	for (const name of slow) await worker.enqueue(name, [pdu(name)]);
	await worker.enqueue(GOOD, [pdu(GOOD)]);
	const deliveredAt = await delivered;
	// Every slow destination gets one attempt, ends on a deadline and is backed off.
	await waitFor(
		() => failures.size === slow.length,
		60_000,
		() => `${failures.size} of ${slow.length} failed`,
	);
	const doneAt = Date.now();
	t.log(
		`${route}: good destination delivered after ${deliveredAt - started} ms, behind ${failedBeforeGood} slow ` +
			`failures, with ${inFlightAtDelivery.length - 1} slow destinations still in flight; all ${slow.length} ` +
			`slow ones backed off after ${doneAt - started} ms (send ${LIMITS.send} ms, .well-known ${LIMITS.wellKnown} ms, ` +
			`${LIMITS.sends} + ${LIMITS.resolutions} slots)`,
	);

	t.is(good.transactions.length, 1, 'the good destination got its transaction');
	t.true(inFlightAtDelivery.length > 1, 'it did not wait for every slow destination to give up first');
	for (const name of slow) {
		t.is(attempts.get(name), 1, `${name}: one attempt, no retry holding its slot`);
		t.regex(failures.get(name) ?? '', /^ERR_TIMEOUT: /, name);
	}
	t.is(attempts.get(GOOD), 1);
	t.true(stack.resolutions.peak <= LIMITS.resolutions);

	// Slots come back: nothing in flight, no permit held or awaited; backoff stored for each slow destination.
	await waitFor(
		() => worker.inFlight.length === 0,
		10_000,
		() => `in flight: ${worker.inFlight.join(', ')}`,
	);
	t.is(stack.resolutions.active, 0);
	t.is(stack.resolutions.waiting, 0);
	t.true(wellKnown.accepted >= DRIPPING, 'the .well-known was fetched for every dripping name');
	t.true(hole.accepted > 0 && silent.accepted > 0, 'the SRV targets were reached');

	// Nothing leaks: every connection to a slow remote is closed once the sender has given up on it.
	await waitFor(
		() => wellKnown.dripping === 0 && hole.open === 0 && silent.open === 0,
		15_000,
		() =>
			`still open: well-known ${wellKnown.dripping} dripping, black hole ${hole.open}, silent ${silent.open}`,
	);
	await stack.close();
	closed = true;
	if (squid !== undefined) {
		const log = await squid.readAccessLog({ until: (entries) => entries.some((e) => e.url.includes(GOOD)) });
		t.true(
			log.some((entry) => entry.method === 'CONNECT' && entry.url.startsWith(`${GOOD}:`)),
			'the good one went through Squid',
		);
	}
	t.deepEqual(guardViolations(), []);
}

test.serial(
	'direct: 32 dripping .well-knowns and 8 silent SRV targets do not keep a good destination from its transaction; slots come back, nothing leaks',
	async (t) => {
		await scenario(t, 'direct');
	},
);

test.serial(
	'through Squid: the same slow remotes beside a good one; the good one is served within the configured bounds',
	async (t) => {
		await scenario(t, 'squid');
	},
);
