// `run`'s /metrics with the real transport: the outbound stack counts in the same registry as the sender, so one
// scrape shows outbound_requests_total{purpose,route} and outbound_request_errors_total{purpose,code}.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKey } from '@homeserver/federation';
import {
	closedPort,
	createCertificateAuthority,
	loopbackLookup,
	startHttpsServer,
} from '@homeserver/testkit';
import test from 'ava';
import { createFederationTransport } from '../src/transport/federation-transport.js';
import { cliHarness } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

/** The value of one sample line of a Prometheus text exposition, or NaN when absent. */
function sample(text: string, series: string): number {
	const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
	return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

const pduJson = (n: number): string =>
	JSON.stringify({ type: 'm.room.message', room_id: '!r:origin.test', event_id: `$e${n}`, content: { n } });

test('after a delivery and a failed connection, /metrics shows the outbound request and error counters', async (t) => {
	const dir = tempDir(t);
	const ca = await createCertificateAuthority();
	writeFileSync(join(dir, 'ca.pem'), ca.certPem);
	writeFileSync(join(dir, 'signing.key'), generateSigningKey('a_1').toKeyFileText(), { mode: 0o600 });
	const destination = await startHttpsServer(
		await ca.issue({ dnsNames: ['remote.test'] }),
		(_request, response) => {
			response.writeHead(200, { 'content-type': 'application/json' }).end('{"pdus":{}}');
		},
	);
	t.teardown(() => destination.close());
	const refusing = await closedPort();
	const h = cliHarness(
		t,
		[
			`signing_key_path: ${join(dir, 'signing.key')}`,
			`federation_custom_ca_list: ["${join(dir, 'ca.pem')}"]`,
			'ip_range_whitelist: ["127.0.0.1"]',
		].join('\n'),
		(config, logger, metricsRegistry) =>
			createFederationTransport(config, logger, {
				metricsRegistry,
				lookup: loopbackLookup({ 'remote.test': '127.0.0.1' }),
				dns: { resolveSrv: () => Promise.reject(new Error('no SRV lookups in this test')) },
				outbound: { retryLimit: 0 },
			}),
	);
	for (const target of [`remote.test:${destination.port}`, `remote.test:${refusing}`]) {
		const queued = await h.cli(
			['enqueue', '--config', h.configPath, '--destination', target, '--pdu', '-'],
			pduJson(1),
		);
		t.is(queued.code, 0, queued.stderr);
	}
	const running = h.cli(['run', '--config', h.configPath]);
	const listening = await h.logged('metrics listening');
	await h.logged('transaction delivered');
	let metrics = '';
	// The failed connection is counted when it fails; the worker then sleeps before its retry.
	while (!metrics.includes('outbound_request_errors_total{')) {
		metrics = await (await fetch(listening['metrics'] as string)).text();
		if (!metrics.includes('outbound_request_errors_total{')) await new Promise((r) => setTimeout(r, 20));
	}
	// The failing destination may have been retried by now (after about 4 s): at least, not exactly.
	t.true(sample(metrics, 'outbound_requests_total{purpose="federation",route="direct"}') >= 2);
	t.true(
		sample(
			metrics,
			'outbound_request_errors_total{purpose="federation",code="ERR_DESTINATION_UNREACHABLE"}',
		) >= 1,
	);
	t.regex(metrics, /^federation_sender_transactions_sent_total\{destination="remote\.test:\d+"\} 1$/m);
	h.signal('SIGTERM');
	t.is((await running).code, 0);
});
