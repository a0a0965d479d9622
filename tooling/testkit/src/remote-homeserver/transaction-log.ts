import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** One transaction the remote homeserver accepted (the first time its `(origin, txnId)` arrived). */
export interface ReceivedTransaction {
	readonly origin: string;
	readonly txnId: string;
	readonly originServerTs: unknown;
	readonly pdus: readonly unknown[];
	readonly edus: readonly unknown[];
}

/** The answer to a `PUT /send/{txnId}`. */
export interface TransactionAnswer {
	readonly status: number;
	readonly body: unknown;
	/** Whether this was a repeat of an already accepted `(origin, txnId)`. */
	readonly duplicate: boolean;
}

const MAX_PDUS = 50;
const MAX_EDUS = 100;

function badRequest(error: string): TransactionAnswer {
	return { status: 400, body: { errcode: 'M_BAD_JSON', error }, duplicate: false };
}

/**
 * The id a receiver reports a PDU under: its `event_id` (room versions 1 and 2), else a stand-in derived from its
 * content hash (a test server does not implement each room version's reference hash).
 */
function eventId(pdu: unknown): string {
	const record = typeof pdu === 'object' && pdu !== null ? (pdu as Record<string, unknown>) : {};
	if (typeof record['event_id'] === 'string') return record['event_id'];
	const { signatures: _signatures, unsigned: _unsigned, ...rest } = record;
	return `$${createHash('sha256').update(canonicalJson(rest)).digest('base64url')}`;
}

/**
 * Transactions received, de-duplicated by `(origin, txnId)` as Synapse does: the first arrival is accepted and
 * answered `{pdus: {<event_id>: {}}}`; a repeat gets the same answer again, is not applied twice and is counted
 * in {@link duplicates}. Bodies are checked like a receiver does (`pdus` array of at most 50, `edus` of at most
 * 100, `origin` equal to the signing server).
 */
export class TransactionLog {
	/** Accepted transactions, in order of arrival. */
	readonly accepted: ReceivedTransaction[] = [];
	/** Repeats of an already accepted `(origin, txnId)`. */
	duplicates = 0;
	readonly #answers = new Map<string, unknown>();

	/** Handles one `PUT /_matrix/federation/v1/send/{txnId}` from a verified origin. */
	receive(origin: string, txnId: string, body: unknown): TransactionAnswer {
		const key = `${origin}\u0000${txnId}`;
		const previous = this.#answers.get(key);
		if (previous !== undefined) {
			this.duplicates += 1;
			return { status: 200, body: previous, duplicate: true };
		}
		if (typeof body !== 'object' || body === null || Array.isArray(body)) {
			return badRequest('the transaction must be a JSON object');
		}
		const record = body as Record<string, unknown>;
		const pdus = record['pdus'];
		const edus = record['edus'] ?? [];
		if (!Array.isArray(pdus)) return badRequest('pdus must be an array');
		if (!Array.isArray(edus)) return badRequest('edus must be an array');
		if (pdus.length > MAX_PDUS || edus.length > MAX_EDUS) {
			return badRequest(`at most ${MAX_PDUS} PDUs and ${MAX_EDUS} EDUs per transaction`);
		}
		if (record['origin'] !== origin) return badRequest('origin does not match the signing server');
		const answer = { pdus: Object.fromEntries(pdus.map((pdu) => [eventId(pdu), {}])) };
		this.#answers.set(key, answer);
		this.accepted.push({
			origin,
			txnId,
			originServerTs: record['origin_server_ts'],
			pdus: pdus as unknown[],
			edus: edus as unknown[],
		});
		return { status: 200, body: answer, duplicate: false };
	}

	/** Every accepted PDU (of one origin, or of all), in order of arrival. */
	pdus(origin?: string): unknown[] {
		return this.accepted
			.filter((txn) => origin === undefined || txn.origin === origin)
			.flatMap((txn) => txn.pdus);
	}

	/** Every accepted EDU (of one origin, or of all), in order of arrival. */
	edus(origin?: string): unknown[] {
		return this.accepted
			.filter((txn) => origin === undefined || txn.origin === origin)
			.flatMap((txn) => txn.edus);
	}
}
