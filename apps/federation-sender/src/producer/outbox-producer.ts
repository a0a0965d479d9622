/**
 * The producer API: how a homeserver that embeds the sender queues PDUs and EDUs (docs/architecture.md 5).
 * It opens the outbox named by the configuration and enqueues with exactly the validation, normalisation and
 * error codes of `federation-sender enqueue` (the CLI calls {@link prepareEnqueue} too). A `run` (this
 * process's or another's) is woken within milliseconds: PostgreSQL `NOTIFY` at commit, SQLite `data_version`.
 *
 * ```ts
 * const producer = await openOutboxProducer(loadConfigFromProcess());
 * await producer.enqueue('remote.example', { pdus: [event], edus: [typing] }); // committed when it resolves
 * await producer.close();
 * ```
 */
import { UsageError } from '@homeserver/outbound-http';
import type { Config } from '@homeserver/config';
import { FederationSenderError } from '../errors.js';
import { normaliseDestination } from '../outbox/destination.js';
import { openOutbox } from '../outbox/open-outbox.js';
import { parseItemsValue } from '../outbox/parse-items.js';
import type { NewItem, OutboxStore, StoredItem } from '../outbox/types.js';

/** One input of an enqueue: a PDU or EDU object, or an array of them; `source` names it in errors. */
export interface EnqueueInput {
	readonly kind: 'pdu' | 'edu';
	readonly value: unknown;
	readonly source: string;
}

/** What to enqueue for one destination through {@link OutboxProducer.enqueue}. */
export interface ProducerItems {
	readonly pdus?: readonly unknown[];
	readonly edus?: readonly unknown[];
}

/** An open outbox to enqueue into. */
export interface OutboxProducer {
	/**
	 * Validates every item and stores them all for `destination` in one database transaction (PDUs first,
	 * each kind in the order given); resolves once committed. Throws `FederationSenderError` with the CLI's
	 * codes: `ERR_INVALID_DESTINATION` (bad name, or our own), `ERR_INVALID_ITEM`, `ERR_ITEM_TOO_LARGE`,
	 * `ERR_USAGE` (nothing to enqueue), `ERR_DATABASE`.
	 */
	enqueue(destination: string, items: ProducerItems): Promise<StoredItem[]>;
	close(): Promise<void>;
}

/**
 * The validation shared by the CLI and the producer API: the destination normalised and never our own
 * `server_name`, every item validated and serialised, in input order.
 */
export function prepareEnqueue(
	serverName: string,
	destinationName: string,
	inputs: readonly EnqueueInput[],
): { destination: string; items: NewItem[] } {
	const destination = checkDestination(serverName, destinationName);
	const items = inputs.flatMap((input) => parseItemsValue(input.kind, input.value, input.source));
	if (items.length === 0) throw new UsageError('nothing to enqueue: no PDU and no EDU');
	return { destination, items };
}

/** The normalised destination; `ERR_INVALID_DESTINATION` when invalid or our own `server_name`. */
export function checkDestination(serverName: string, destinationName: string): string {
	const destination = normaliseDestination(destinationName);
	if (destination === normaliseDestination(serverName)) {
		throw new FederationSenderError(
			'ERR_INVALID_DESTINATION',
			`${destination} is this server's own name (server_name); nothing is sent to ourselves`,
		);
	}
	return destination;
}

/** Enqueues prepared inputs into an open store (the CLI's path and the producer's). */
export async function enqueueInputs(
	store: OutboxStore,
	serverName: string,
	destinationName: string,
	inputs: readonly EnqueueInput[],
	nowMs: number = Date.now(),
): Promise<StoredItem[]> {
	const { destination, items } = prepareEnqueue(serverName, destinationName, inputs);
	return store.enqueue(destination, items, nowMs);
}

/** Opens the configured outbox (`federation_sender.database`) for enqueueing. */
export async function openOutboxProducer(config: Config): Promise<OutboxProducer> {
	const store = await openOutbox(config.federationSender.database);
	return {
		enqueue: (destination, items) => {
			const inputs: EnqueueInput[] = [
				...(items.pdus ?? []).map((value, i): EnqueueInput => ({ kind: 'pdu', value, source: `pdus[${i}]` })),
				...(items.edus ?? []).map((value, i): EnqueueInput => ({ kind: 'edu', value, source: `edus[${i}]` })),
			];
			return enqueueInputs(store, config.serverName, destination, inputs);
		},
		close: () => store.close(),
	};
}
