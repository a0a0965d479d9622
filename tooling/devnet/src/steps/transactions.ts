/**
 * Step 1: transactions. Each PDU is enqueued with `federation-sender enqueue` (a separate process, as an operator
 * or the homeserver would) while `federation-sender run` delivers it; the remote homeserver then shows which
 * transaction carried it and whether the X-Matrix signature verified.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReceivedTransaction, RemoteRequest } from '@homeserver/testkit';
import { DevnetError } from '../errors.js';
import type { StepContext, TransactionRecord } from '../scenario-types.js';
import { waitFor } from '../wait-for.js';

const SEND_PATH = '/_matrix/federation/v1/send/';

function pdu(index: number, eventId: string, serverName: string): Record<string, unknown> {
	return {
		event_id: eventId,
		type: 'm.room.message',
		room_id: `!devnet:${serverName}`,
		sender: `@alice:${serverName}`,
		origin_server_ts: Date.now(),
		depth: index,
		prev_events: [],
		auth_events: [],
		content: { msgtype: 'm.text', body: `hello #${index} from the devnet` },
	};
}

function carrying(
	transactions: readonly ReceivedTransaction[],
	eventId: string,
): ReceivedTransaction | undefined {
	return transactions.find((txn) =>
		txn.pdus.some((entry) => (entry as { event_id?: unknown } | null)?.event_id === eventId),
	);
}

function deliveringRequest(requests: readonly RemoteRequest[], txnId: string): RemoteRequest | undefined {
	return requests.find(
		(request) =>
			request.method === 'PUT' &&
			request.path.startsWith(SEND_PATH) &&
			decodeURIComponent(request.path.slice(SEND_PATH.length)) === txnId &&
			request.status === 200,
	);
}

/** Enqueues and follows `count` PDUs one after the other; returns what the remote saw of each. */
export async function runTransactions(context: StepContext, count: number): Promise<TransactionRecord[]> {
	const { devnet } = context;
	const remote = devnet.remote.homeserver;
	const destination = devnet.remote.serverName;
	const decision = context.router.route(`https://${destination}${SEND_PATH}1`, 'federation');
	const records: TransactionRecord[] = [];
	const sender = devnet.workers.find((worker) => worker.name === 'federation-sender');
	for (let index = 1; index <= count; index += 1) {
		const eventId = `$devnet-${index}-${randomBytes(4).toString('hex')}`;
		const file = join(devnet.files.items, `pdu-${index}.json`);
		await writeFile(file, `${JSON.stringify(pdu(index, eventId, devnet.serverName), null, 2)}\n`);
		const started = performance.now();
		const enqueue = await context.run('federation-sender', [
			'enqueue',
			'--config',
			devnet.files.configFile,
			'--destination',
			destination,
			'--pdu',
			file,
		]);
		if (enqueue.code !== 0) {
			throw new DevnetError(
				'ERR_DEVNET_STEP',
				`federation-sender enqueue failed (${enqueue.code}): ${enqueue.stderr.trim()}`,
			);
		}
		const txn = await waitFor(() => {
			if (sender !== undefined && !sender.running) {
				throw new DevnetError('ERR_DEVNET_WORKER', `federation-sender exited; see ${sender.logFile}`);
			}
			return carrying(remote.transactions, eventId);
		}, 20_000).catch((error: unknown) => {
			if (error instanceof DevnetError && error.code === 'ERR_DEVNET_WORKER') throw error;
			return undefined;
		});
		const totalMs = performance.now() - started;
		if (txn === undefined) {
			const refused = remote.requests.filter((request) => request.authorization === 'invalid');
			const why =
				refused.length === 0
					? ''
					: `; the remote refused ${refused.length} request(s): ${refused[0]?.rejection ?? ''}`;
			throw new DevnetError(
				'ERR_DEVNET_STEP',
				`PDU ${eventId} did not reach ${destination} within 20 s${why}`,
			);
		}
		const request = deliveringRequest(remote.requests, txn.txnId);
		const signature = request === undefined ? 'missing' : request.authorization;
		const record: TransactionRecord = {
			eventId,
			txnId: txn.txnId,
			signature,
			origin: request?.origin,
			enqueueMs: enqueue.ms,
			totalMs,
		};
		records.push(record);
		const ok = signature === 'valid' && request?.origin === devnet.serverName && decision.route === 'proxy';
		if (!ok)
			context.fail(
				`transaction ${txn.txnId}: signature ${signature}, origin ${request?.origin ?? '?'}, route ${decision.route}`,
			);
		context.emit({
			step: 'transaction',
			route: decision.route,
			ok,
			ms: totalMs,
			text:
				`txn ${index}/${count} PDU ${eventId} → ${destination} in txn ${txn.txnId}: ` +
				(signature === 'valid'
					? `remote verified the ${devnet.signingKeyId} signature`
					: `signature ${signature}`) +
				`; enqueue ${Math.round(enqueue.ms)} ms`,
		});
	}
	return records;
}

interface StatusRow {
	readonly destination: string;
	readonly pendingPdus: number;
	readonly deliveredItems: number;
	readonly inFlight: unknown;
}

/**
 * Checks that every PDU was applied exactly once by the remote (retries of a txnId are answered from its cache,
 * never applied twice) and that `federation-sender status` shows nothing left in the outbox.
 */
export async function checkExactlyOnce(
	context: StepContext,
	records: readonly TransactionRecord[],
): Promise<void> {
	const { devnet } = context;
	const applied = devnet.remote.homeserver
		.pdus(devnet.serverName)
		.map((entry) => (entry as { event_id?: unknown } | null)?.event_id);
	for (const record of records) {
		const times = applied.filter((id) => id === record.eventId).length;
		if (times !== 1)
			context.fail(`PDU ${record.eventId} was applied ${times} times by the remote (expected once)`);
	}
	const row = await waitFor(
		async () => {
			const status = await context.run('federation-sender', [
				'status',
				'--config',
				devnet.files.configFile,
				'--json',
			]);
			if (status.code !== 0) return undefined;
			const parsed = JSON.parse(status.stdout) as { destinations?: StatusRow[] };
			const found = parsed.destinations?.find((entry) => entry.destination === devnet.remote.serverName);
			return found !== undefined && found.pendingPdus === 0 && found.inFlight === null ? found : undefined;
		},
		10_000,
		100,
	).catch(() => undefined);
	if (row === undefined) {
		context.fail('federation-sender status still shows pending PDUs or a transaction in flight');
	} else if (row.deliveredItems !== records.length) {
		context.fail(
			`federation-sender status reports ${row.deliveredItems} delivered items, expected ${records.length}`,
		);
	}
}
