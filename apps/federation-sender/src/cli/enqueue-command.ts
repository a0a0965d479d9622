/**
 * `federation-sender enqueue --config FILE --destination SERVER (--pdu FILE | --edu FILE)...`: validates every
 * item, stores them all in one database transaction (in command-line order), and prints what was stored.
 * The running worker picks them up by itself.
 */
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '@homeserver/outbound-http';
import { FederationSenderError } from '../errors.js';
import { normaliseDestination } from '../outbox/destination.js';
import { openOutbox } from '../outbox/open-outbox.js';
import { parseItemsText } from '../outbox/parse-items.js';
import type { NewItem } from '../outbox/types.js';
import type { CliIo } from './io.js';

/** Largest item file read (an array of PDUs may be long; each PDU is still capped at 64 KiB). */
const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/** Runs `enqueue`; returns the exit code. */
export async function enqueueCommand(args: string[], io: CliIo): Promise<number> {
	const { values, tokens } = parseArgs({
		args,
		options: {
			config: { type: 'string' },
			destination: { type: 'string' },
			pdu: { type: 'string', multiple: true },
			edu: { type: 'string', multiple: true },
		},
		strict: true,
		tokens: true,
	});
	if (values.destination === undefined) throw usage('--destination SERVER is required');
	const inputs = tokens.flatMap((token) =>
		token.kind === 'option' && (token.name === 'pdu' || token.name === 'edu')
			? [{ kind: token.name, file: token.value ?? '' } as const]
			: [],
	);
	if (inputs.length === 0) throw usage('give at least one --pdu FILE or --edu FILE');
	if (inputs.filter((input) => input.file === '-').length > 1) throw usage('stdin (-) can be read only once');

	const config = io.loadConfig(values.config);
	const destination = normaliseDestination(values.destination);
	if (destination === normaliseDestination(config.serverName)) {
		throw new FederationSenderError(
			'ERR_INVALID_DESTINATION',
			`${destination} is this server's own name (server_name); nothing is sent to ourselves`,
		);
	}
	const items: NewItem[] = [];
	for (const input of inputs) {
		const source = input.file === '-' ? 'stdin' : input.file;
		const text = input.file === '-' ? await io.readStdin() : await readCapped(resolve(input.file));
		if (Buffer.byteLength(text) > MAX_INPUT_BYTES) throw tooLarge(source);
		items.push(...parseItemsText(input.kind, text, source));
	}

	const store = await openOutbox(config.federationSender.database);
	try {
		const stored = await store.enqueue(destination, items, Date.now());
		for (const item of stored) {
			const id = item.eventId === null ? '' : ` ${item.eventId}`;
			io.stdout.write(`stored ${item.kind} #${item.seq}${id} (${item.bytes} bytes) for ${destination}\n`);
		}
		io.stdout.write(`${stored.length} item(s) stored for ${destination}\n`);
	} finally {
		await store.close();
	}
	return 0;
}

async function readCapped(path: string): Promise<string> {
	let handle;
	try {
		handle = await open(path, 'r');
	} catch (error) {
		throw new UsageError(`cannot read ${path}: ${(error as Error).message}`, {
			cause: error,
		});
	}
	try {
		if ((await handle.stat()).size > MAX_INPUT_BYTES) throw tooLarge(path);
		return await handle.readFile('utf8');
	} finally {
		await handle.close();
	}
}

function tooLarge(source: string): FederationSenderError {
	return new FederationSenderError('ERR_ITEM_TOO_LARGE', `${source} is larger than ${MAX_INPUT_BYTES} bytes`);
}

function usage(message: string): UsageError {
	return new UsageError(message);
}
