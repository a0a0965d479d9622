import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { openSqliteOutbox } from '../src/outbox/sqlite-outbox.js';
import { runFixture, type Child } from './helpers/child.js';
import { pdus } from './helpers/items.js';
import { tempDir } from './helpers/temp-dir.js';

interface Received {
	readonly txnId: string;
	readonly body: string;
}

/** A loopback receiver that records each PUT and lets the test decide per request. */
async function receiver(
	t: ExecutionContext,
	decide: (request: Received, index: number, response: ServerResponse) => void,
): Promise<{ url: string; requests: Received[] }> {
	const requests: Received[] = [];
	const server = createServer((request: IncomingMessage, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const txnId = decodeURIComponent((request.url ?? '').split('/').pop() ?? '');
			const received = { txnId, body: Buffer.concat(chunks).toString() };
			requests.push(received);
			decide(received, requests.length - 1, response);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	t.teardown(() => {
		server.closeAllConnections();
		server.close();
	});
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const ok = (response: ServerResponse): void => {
	response.writeHead(200, { 'content-type': 'application/json' }).end('{"pdus":{}}');
};

/** Event ids received, counting each txnId once (as a receiver de-duplicates). */
function delivered(requests: Received[]): string[] {
	const seen = new Set<string>();
	return requests.flatMap(({ txnId, body }) => {
		if (seen.has(txnId)) return [];
		seen.add(txnId);
		return (JSON.parse(body) as { pdus: { event_id: string }[] }).pdus.map((p) => p.event_id);
	});
}

test('a process killed in the middle of sending delivers every PDU after restart, none twice, each transaction re-sent unchanged', async (t) => {
	const path = join(tempDir(t), 'outbox.db');
	const seed = openSqliteOutbox(path);
	await seed.enqueue('remote.test', pdus(0, 120), Date.now());
	await seed.close();

	let child: Child | undefined;
	let phase = 1;
	const { url, requests } = await receiver(t, (_request, index, response) => {
		if (phase === 1 && index === 0) {
			child?.process.kill('SIGKILL'); // killed while the first transaction is in flight, unanswered
			response.destroy();
		} else if (phase === 2 && index === 2) {
			ok(response); // answered, then killed before (or after) the 200 is filed
			response.on('finish', () => child?.process.kill('SIGKILL'));
		} else {
			ok(response);
		}
	});

	child = runFixture(t, 'run-worker.ts', [path, url]);
	await child.exited;
	phase = 2;
	child = runFixture(t, 'run-worker.ts', [path, url]);
	await child.exited;
	phase = 3;
	child = runFixture(t, 'run-worker.ts', [path, url]);
	await child.waitFor((line) => line.startsWith('delivered ') && line.endsWith(' 20'));

	t.is(requests[1]!.txnId, requests[0]!.txnId, 'the unanswered transaction is re-sent with its txnId');
	t.is(requests[1]!.body, requests[0]!.body, 'and its exact body');
	t.deepEqual(
		delivered(requests),
		Array.from({ length: 120 }, (_, i) => `$e${i}`),
	);
	const byTxn = new Map<string, Set<string>>();
	for (const { txnId, body } of requests) byTxn.set(txnId, (byTxn.get(txnId) ?? new Set()).add(body));
	t.true(
		[...byTxn.values()].every((bodies) => bodies.size === 1),
		'a txnId always carries the same body',
	);
	t.is(byTxn.size, 3, '120 PDUs in three transactions, whatever the crashes');
});
