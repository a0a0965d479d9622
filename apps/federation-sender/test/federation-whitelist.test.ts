// federation_domain_whitelist in the sender: a destination it does not list is refused by the real transport
// before any I/O; the items stay queued, the code is the destination's last error (what `status` prints), and the
// destination is backed off for the longest interval instead of being retried in a loop.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LookupFunction } from 'node:net';
import test from 'ava';
import { loadConfig } from '@homeserver/config';
import { generateSigningKey } from '@homeserver/federation';
import { pino } from 'pino';
import { DEFAULT_BACKOFF_POLICY } from '../src/backoff/policy.js';
import { createFederationTransport } from '../src/transport/federation-transport.js';
import { pdus } from './helpers/items.js';
import { settle } from './helpers/manual-clock.js';
import { tempDir } from './helpers/temp-dir.js';
import { harness, next } from './helpers/worker.js';

test('a destination outside federation_domain_whitelist keeps its items, shows ERR_FEDERATION_DENIED and is not retried in a loop', async (t) => {
	const dir = tempDir(t);
	await writeFile(join(dir, 'signing.key'), generateSigningKey('t1').toKeyFileText(), { mode: 0o600 });
	const config = loadConfig({
		env: {},
		configPath: join(dir, 'homeserver.yaml'),
		yamlText: [
			'server_name: origin.test',
			'signing_key_path: signing.key',
			'federation_domain_whitelist: [friend.test]',
		].join('\n'),
	});
	const lookup: LookupFunction = () => t.fail('no address lookup may happen');
	const transport = await createFederationTransport(config, pino({ level: 'silent' }), {
		lookup,
		dns: { resolveSrv: () => Promise.reject(new Error('no SRV lookup may happen')) },
		outbound: { retryLimit: 0 },
	});
	t.teardown(() => transport.close());
	let sends = 0;
	const { worker, store, clock } = harness(t, {
		send: (...args) => {
			sends++;
			return transport.send(...args);
		},
	});
	await worker.start();
	const failed = next(worker, 'failed');
	await worker.enqueue('stranger.test', pdus(0, 3));
	const [failure] = await failed;
	t.regex(failure.error, /^ERR_FEDERATION_DENIED: .*federation_domain_whitelist/);
	t.is(sends, 1, 'no HTTP-level retries');
	t.is(failure.retryAt, clock.now() + DEFAULT_BACKOFF_POLICY.maxIntervalMs);

	const [status] = await store.status();
	t.like(status, { destination: 'stranger.test', pendingPdus: 3 });
	t.regex(status?.lastError ?? '', /^ERR_FEDERATION_DENIED/);

	// An hour later nothing was tried again.
	await clock.advance(3_600_000);
	await settle();
	t.is(sends, 1);
	t.is(
		(await transport.http.metrics.requests.get()).values.reduce((sum, value) => sum + value.value, 0),
		0,
		'no hop was routed, let alone connected',
	);
});
