// The producer API (what an embedding homeserver calls) against the `enqueue` CLI: same validation, same codes,
// and a `run` woken across connections without waiting for its fallback poll.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import test from 'ava';
import { errorCode, loadConfig } from '@homeserver/config';
import { openOutboxProducer } from '../src/producer/outbox-producer.js';
import { openSqliteOutbox } from '../src/outbox/sqlite-outbox.js';
import { DeliveryWorker } from '../src/worker/delivery-worker.js';
import { cliHarness } from './helpers/cli.js';
import { next } from './helpers/worker.js';

const PDU = { type: 'm.room.message', room_id: '!r:origin.test', event_id: '$ok', content: {} };

/** Bad inputs: [what, destination, pdus, edus]. */
const BAD: [string, string, unknown[], unknown[]][] = [
	['an invalid destination', 'not a server!', [PDU], []],
	['our own server name', 'Origin.Test', [PDU], []],
	['a PDU without room_id', 'remote.test', [{ type: 'm.room.message' }], []],
	['a PDU with a float', 'remote.test', [{ ...PDU, content: { n: 1.5 } }], []],
	['a PDU over 64 KiB', 'remote.test', [{ ...PDU, content: { body: 'x'.repeat(70_000) } }], []],
	['an EDU without edu_type', 'remote.test', [], [{ content: {} }]],
	['an EDU whose content is not an object', 'remote.test', [], [{ edu_type: 'm.typing', content: 3 }]],
];

for (const [what, destination, pdus, edus] of BAD) {
	test(`the producer API refuses ${what} with the same code as the enqueue CLI`, async (t) => {
		const h = cliHarness(t);
		const args = ['enqueue', '--config', h.configPath, '--destination', destination];
		pdus.forEach((value, i) => {
			writeFileSync(join(h.dir, `p${i}.json`), JSON.stringify(value));
			args.push('--pdu', join(h.dir, `p${i}.json`));
		});
		edus.forEach((value, i) => {
			writeFileSync(join(h.dir, `e${i}.json`), JSON.stringify(value));
			args.push('--edu', join(h.dir, `e${i}.json`));
		});
		const cli = await h.cli(args);
		t.is(cli.code, 1);
		const cliCode = cli.stderr.split(':')[0] ?? '';

		const producer = await openOutboxProducer(loadConfig({ env: {}, configPath: h.configPath }));
		t.teardown(() => producer.close());
		const error = await t.throwsAsync(producer.enqueue(destination, { pdus, edus }));
		t.is(errorCode(error), cliCode, `CLI said: ${cli.stderr.trim()}`);
		t.not(cliCode, 'ERR_UNEXPECTED');
	});
}

test('the producer API with nothing to enqueue is a usage error', async (t) => {
	const h = cliHarness(t);
	const producer = await openOutboxProducer(loadConfig({ env: {}, configPath: h.configPath }));
	t.teardown(() => producer.close());
	await t.throwsAsync(producer.enqueue('remote.test', {}), { code: 'ERR_USAGE' } as never);
});

test('a PDU enqueued through the producer API on another connection is delivered by an idle run without waiting for its hour-long poll', async (t) => {
	const h = cliHarness(t);
	const config = loadConfig({ env: {}, configPath: h.configPath });
	const store = openSqliteOutbox(join(h.dir, 'outbox.db'));
	const sent: string[] = [];
	const worker = new DeliveryWorker({
		store,
		origin: 'origin.test',
		pollIntervalMs: 3_600_000,
		send: (_destination, _txnId, body) => {
			sent.push(body);
			return Promise.resolve({ status: 200, body: { pdus: {} } });
		},
	});
	t.teardown(async () => {
		await worker.stop();
		await store.close();
	});
	await worker.start();
	const producer = await openOutboxProducer(config);
	t.teardown(() => producer.close());
	const delivered = next(worker, 'delivered');
	const [stored] = await producer.enqueue('Remote.Test', { pdus: [PDU] });
	t.is(stored?.destination, 'remote.test', 'the destination is normalised as the CLI does');
	t.like((await delivered)[0], { destination: 'remote.test', pduCount: 1 });
	t.regex(sent[0] ?? '', /"\$ok"/);
});
