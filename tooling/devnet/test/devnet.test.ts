import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { missingSquidTools } from '@homeserver/testkit';
import { findSecrets } from '../src/credentials.js';
import { DEVNET_SERVER_NAME, startDevnet } from '../src/devnet.js';
import { runScenario } from '../src/scenario.js';
import type { ScenarioEvent } from '../src/scenario-types.js';

/** In CI (or with TESTKIT_REQUIRE_SQUID=1) the devnet must run with Squid, not the in-process fallback. */
const squidRequired = Boolean(process.env['CI']) || process.env['TESTKIT_REQUIRE_SQUID'] === '1';

const SEND = '/_matrix/federation/v1/send/';

test('the devnet delivers signed transactions once through the proxy, fetches media intact, bypasses no_proxy, blocks SSRF and leaks no credential', async (t) => {
	t.timeout(120_000);
	const squidMissing = await missingSquidTools();
	if (squidRequired && squidMissing.length > 0)
		t.fail(`Squid is required here but missing: ${squidMissing.join(', ')}`);
	const dataDir = await mkdtemp(join(tmpdir(), 'devnet-e2e-'));
	t.teardown(() => rm(dataDir, { recursive: true, force: true }));
	// A generous start bound: this test runs beside every other workspace's tests on a shared CI machine, where a
	// worker's first log line has been seen to take more than the 15 s an operator's `npm start` allows.
	const devnet = await startDevnet({
		dataDir,
		proxy: squidMissing.length === 0 ? 'squid' : 'in-process',
		startTimeoutMs: 60_000,
	});
	t.teardown(() => devnet.close());
	const events: ScenarioEvent[] = [];
	const result = await runScenario(devnet, { transactions: 3, onEvent: (event) => events.push(event) });
	await devnet.close();

	// The scenario's own verdict, with every failed check named.
	t.deepEqual(result.failures, []);
	t.true(result.ok);
	t.true(events.every((event) => event.ok));

	// Transactions: as the remote homeserver itself recorded them.
	const remote = devnet.remote.homeserver;
	const sends = remote.requests.filter(
		(request) => request.method === 'PUT' && request.path.startsWith(SEND),
	);
	t.true(sends.length >= 3);
	for (const request of sends) {
		t.is(request.authorization, 'valid', `${request.path}: ${request.rejection ?? ''}`);
		t.is(request.origin, DEVNET_SERVER_NAME);
		t.is(request.servername, 'localhost');
	}
	const applied = remote.pdus(DEVNET_SERVER_NAME).map((pdu) => (pdu as { event_id: string }).event_id);
	t.deepEqual(
		applied,
		result.transactions.map((txn) => txn.eventId),
	);
	t.is(new Set(remote.transactions.map((txn) => txn.txnId)).size, remote.transactions.length);

	// Media: identical bytes, downloaded once from the remote and once from the CDN.
	t.deepEqual(
		result.media.map((item) => [item.mediaId, item.bytes, item.sha256Matches, item.remoteDownloads]),
		[
			[devnet.remote.inlineMedia.mediaId, devnet.remote.inlineMedia.bytes.length, true, 1],
			[devnet.remote.cdnMedia.mediaId, devnet.remote.cdnMedia.bytes.length, true, 1],
		],
	);
	t.is(remote.media.downloads(devnet.remote.inlineMedia.mediaId), 1);
	t.is(devnet.remote.cdn.requests.length, 1);

	// no_proxy bypass: direct, the remote saw an IP-literal request (no SNI), the proxy saw nothing of it.
	t.is(result.bypass?.route, 'direct');
	const keyRequests = remote.requests.filter((request) => request.path === '/_matrix/key/v2/server');
	t.is(keyRequests.length, 1);
	t.is(keyRequests[0]?.servername, undefined);
	t.is(keyRequests[0]?.status, 200);
	const proxied = await devnet.proxy.transactions();
	t.false(proxied.some((entry) => entry.target.includes(`127.0.0.1:${devnet.remote.port}`)));

	// SSRF: refused by routing, before any socket; the proxy never saw those targets either.
	t.deepEqual(
		result.ssrf.map((item) => [item.target, item.route]),
		[
			[devnet.remote.ssrfMedia.location, 'blocked'],
			['http://10.0.0.1/admin', 'blocked'],
		],
	);
	t.is(result.ssrf[1]?.code, 'ERR_IP_BLOCKED');
	t.deepEqual(result.guardRefusals, []);
	t.false(proxied.some((entry) => /10\.0\.0\.1|169\.254\.169\.254/.test(entry.target)));

	// The proxy: every tunnel and forwarded request authenticated as the devnet user.
	t.is(devnet.proxy.kind, squidMissing.length === 0 ? 'squid' : 'in-process');
	t.true(result.proxy !== undefined && result.proxy.tunnels >= 1 && result.proxy.forwarded === 1);
	t.deepEqual(result.proxy?.users, ['devnet']);

	// Credentials: nowhere in what the remote or the CDN received, nor in the workers' logs.
	for (const request of [...remote.requests, ...devnet.remote.cdn.requests]) {
		t.is(request.headers['proxy-authorization'], undefined);
		t.deepEqual(findSecrets(JSON.stringify(request.headers), devnet.secretForms), []);
	}
	for (const worker of devnet.workers) {
		const log = await readFile(worker.logFile, 'utf8');
		t.true(log.length > 0, `${worker.name} wrote a log`);
		t.deepEqual(findSecrets(log, devnet.secretForms), [], worker.logFile);
	}
	t.deepEqual(result.leaks, []);
});
