import { writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { openSqliteOutbox, parsePdu } from '@homeserver/federation-sender';
import { findFreePort, startRemoteHomeserver } from '@homeserver/testkit';
import type { RemoteHomeserver } from '@homeserver/testkit';
import test from 'ava';
import {
	appDir,
	appsCanRun,
	seededRandom,
	sleep,
	startRestartableSquid,
	waitFor,
} from './helpers/app-env.js';
import { cliOf, runNode, startNode } from './helpers/child.js';
import type { Child } from './helpers/child.js';
import { LeakAudit, withCredentials } from './helpers/secrets.js';
import { testPki } from './helpers/stack.js';
import { registerSuiteChecks } from './helpers/suite-hooks.js';

const audit = new LeakAudit();
registerSuiteChecks(test, audit);

/** Dozens of destinations, thousands of PDUs, in two waves (the second enqueued by the CLI mid-chaos). */
const DESTINATIONS = 24;
const PER_WAVE = 50;
const ORIGIN = 'origin.test';
const SENDER = cliOf('@homeserver/federation-sender');

const pdu = (dest: number, n: number): Record<string, unknown> => ({
	type: 'm.room.message',
	room_id: '!chaos:origin.test',
	event_id: `$d${dest}-${n}`,
	origin: ORIGIN,
	origin_server_ts: 1_700_000_000_000 + n,
	content: { body: `pdu ${n} for destination ${dest}`, n },
});

/** The metrics exposition of the running sender, or '' when it is not listening (yet). */
function scrape(port: number): Promise<string> {
	return new Promise((resolve) => {
		get({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (response) => {
			let text = '';
			response.setEncoding('utf8');
			response.on('data', (chunk: string) => (text += chunk));
			response.on('end', () => resolve(text));
		}).once('error', () => resolve(''));
	});
}

/** The sum of a counter over its labels in a Prometheus exposition. */
function total(exposition: string, name: string): number {
	return exposition
		.split('\n')
		.filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
		.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

test('Squid killed and restarted, the sender SIGKILLed at random points: every PDU arrives once, in order', async (t) => {
	t.timeout(150_000);
	if (!(await appsCanRun(t))) return;
	const seed = Date.now() % 1_000_000;
	const random = seededRandom(seed);
	t.log(`seed ${seed}`);
	const { dir, key } = await appDir(t, 'sender');
	const { destination: tls } = await testPki();
	const remotes: RemoteHomeserver[] = [];
	t.teardown(() => Promise.all(remotes.map((remote) => remote.close())));
	for (let i = 0; i < DESTINATIONS; i++) {
		const remote = await startRemoteHomeserver({
			serverName: `d${i}.remote.test`,
			tls,
			keys: { [ORIGIN]: { keyId: key.keyId, publicKeyBase64: key.publicKeyBase64 } },
		});
		remote.setServerName(`d${i}.remote.test:${remote.port}`);
		// Every answer takes a moment, so that kills find transactions in flight.
		remote.stall(250, 100_000);
		remotes.push(remote);
	}
	const squid = await startRestartableSquid(
		Object.fromEntries(remotes.map((_r, i) => [`d${i}.remote.test`, '127.0.0.1'])),
	);
	t.teardown(() => squid.close());
	const metricsPort = await findFreePort();
	const configPath = join(dir, 'homeserver.yaml');
	await writeFile(
		configPath,
		[
			`server_name: ${ORIGIN}`,
			'signing_key_path: signing.key',
			`https_proxy: ${JSON.stringify(withCredentials(squid.url))}`,
			'federation_custom_ca_list: [ca.pem]',
			'federation_sender:',
			'  database: {name: sqlite3, args: {database: outbox.db}}',
			`  metrics: {bind_address: 127.0.0.1, port: ${metricsPort}}`,
			'',
		].join('\n'),
	);

	// Wave 1 through the outbox API, before the sender starts.
	const store = openSqliteOutbox(join(dir, 'outbox.db'));
	for (const [i, remote] of remotes.entries()) {
		const items = Array.from({ length: PER_WAVE }, (_, n) => parsePdu(pdu(i, n)));
		await store.enqueue(remote.serverName, items, Date.now());
	}
	await store.close();

	const outputs: string[] = [];
	let sender: Child = startNode(SENDER, ['run', '--config', configPath], dir);
	const delivered = (): number => remotes.reduce((sum, remote) => sum + remote.pdus(ORIGIN).length, 0);
	const progress = (): string =>
		`${delivered()} PDUs delivered; sender output tail:\n${sender.output().slice(-2000)}`;
	let retries = 0;
	const restartSender = async (): Promise<void> => {
		await sleep(Math.floor(random() * 1500));
		const metrics = await scrape(metricsPort);
		audit.addText('metrics', metrics);
		retries += total(metrics, 'federation_sender_http_retries_total');
		await sender.kill('SIGKILL');
		outputs.push(sender.output());
		sender = startNode(SENDER, ['run', '--config', configPath], dir);
	};

	await waitFor(() => delivered() >= 300, 60_000, progress);
	audit.addText('metrics', await scrape(metricsPort));
	await squid.crash(500);
	await restartSender();

	// Wave 2 through the CLI while the chaos goes on, four enqueue processes at a time.
	for (let first = 0; first < DESTINATIONS; first += 4) {
		await Promise.all(
			remotes.slice(first, first + 4).map(async (remote, offset) => {
				const i = first + offset;
				const file = join(dir, `wave2-${i}.json`);
				await writeFile(
					file,
					JSON.stringify(Array.from({ length: PER_WAVE }, (_, n) => pdu(i, PER_WAVE + n))),
				);
				const run = await runNode(
					SENDER,
					['enqueue', '--config', configPath, '--destination', remote.serverName, '--pdu', file],
					dir,
				);
				audit.addText(`enqueue ${i}`, run.output);
				t.is(run.code, 0, run.output);
			}),
		);
	}
	await waitFor(() => delivered() >= 1500, 60_000, progress);
	await squid.crash(800);
	await restartSender();
	await waitFor(() => delivered() >= DESTINATIONS * PER_WAVE * 2, 90_000, progress);
	const last = await scrape(metricsPort);
	audit.addText('metrics', last);
	retries += total(last, 'federation_sender_http_retries_total');
	t.is(await sender.kill('SIGTERM'), 0, 'a graceful stop after the chaos');
	outputs.push(sender.output());
	for (const [index, text] of outputs.entries()) audit.addText(`sender run ${index}`, text);
	const status = await runNode(SENDER, ['status', '--config', configPath, '--json'], dir);
	audit.addText('status', status.output);

	for (const [i, remote] of remotes.entries()) {
		const ids = remote.pdus(ORIGIN).map((item) => (item as { event_id: string }).event_id);
		const expected = Array.from({ length: PER_WAVE * 2 }, (_, n) => `$d${i}-${n}`);
		t.deepEqual(ids, expected, `destination ${i}: every PDU once, in order`);
		audit.addRequests(
			`remote ${i}`,
			remote.requests.map((request) => ({ ...request, content: undefined })),
		);
	}
	t.true(squid.connections > DESTINATIONS, 'the traffic went through Squid');
	const retransmitted = remotes.reduce((sum, remote) => sum + remote.duplicates, 0);
	t.log(
		`${delivered()} PDUs in ${remotes.reduce((sum, r) => sum + r.transactions.length, 0)} transactions; ` +
			`${retransmitted} retransmissions recognised by txnId; ${retries} HTTP-level retries; ` +
			`Squid restarted ${squid.restarts} times; sender SIGKILLed twice`,
	);
});
