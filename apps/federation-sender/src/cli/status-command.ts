/**
 * `federation-sender status --config FILE [--json]`: per destination, the queue depth, the transaction in
 * flight, the backoff in force, the last error and (PostgreSQL) the instance holding its lease, plus the
 * outbox size (rows kept until `federation_sender.retention`), read from the outbox (no worker needed).
 */
import { parseArgs } from 'node:util';
import { openOutbox } from '../outbox/open-outbox.js';
import type { DestinationStatus } from '../outbox/types.js';
import { formatStatusTable } from './format-status.js';
import type { CliIo } from './io.js';
import { withBackoffAt } from './status-json-row.js';
import { terminalSafeJson } from '@homeserver/config';

/** Runs `status`; returns the exit code. */
export async function statusCommand(args: string[], io: CliIo): Promise<number> {
	const { values } = parseArgs({
		args,
		options: { config: { type: 'string' }, json: { type: 'boolean', default: false } },
		strict: true,
	});
	const config = io.loadConfig(values.config);
	const store = await openOutbox(config.federationSender.database, { mustExist: true });
	let rows: DestinationStatus[];
	let size: { items: number; transactions: number };
	try {
		rows = await store.status();
		size = await store.size();
	} finally {
		await store.close();
	}
	const now = Date.now();
	const result = withBackoffAt(rows, now);
	if (values.json) {
		io.stdout.write(`${terminalSafeJson({ now, outbox: size, destinations: result }, 2)}\n`);
	} else {
		io.stdout.write(formatStatusTable(result, now));
		io.stdout.write(`outbox size   ${size.items} item(s), ${size.transactions} transaction(s)\n`);
	}
	return 0;
}
