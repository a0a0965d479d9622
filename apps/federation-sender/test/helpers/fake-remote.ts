/**
 * An in-process stand-in for remote homeservers behind `SendTransaction`: records every call, tracks how
 * many are in flight per destination, and answers with a per-test handler (which may hold a call open).
 */
import { OutboundHttpError } from '@homeserver/outbound-http';
import type { SendResult, SendTransaction } from '../../src/worker/types.js';

export interface Call {
	readonly destination: string;
	readonly txnId: string;
	readonly body: string;
	readonly signal: AbortSignal;
}

export type Handler = (call: Call) => SendResult | Promise<SendResult>;

export const OK: SendResult = { status: 200, body: { pdus: {} } };

/** A handler for a destination that refuses connections, failing as the outbound stack reports it. */
export const refused = (): never => {
	const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8448'), { code: 'ECONNREFUSED' });
	throw new OutboundHttpError('ERR_DESTINATION_UNREACHABLE', cause.message, { cause });
};

export class FakeRemote {
	readonly calls: Call[] = [];
	/** Highest number of calls in flight at once, per destination and overall. */
	readonly maxInFlight = new Map<string, number>();
	maxTotalInFlight = 0;
	#inFlight = new Map<string, number>();
	#total = 0;
	handler: Handler = () => OK;

	readonly send: SendTransaction = async (destination, txnId, body, { signal }) => {
		const call = { destination, txnId, body, signal };
		this.calls.push(call);
		const now = (this.#inFlight.get(destination) ?? 0) + 1;
		this.#inFlight.set(destination, now);
		this.maxInFlight.set(destination, Math.max(now, this.maxInFlight.get(destination) ?? 0));
		this.maxTotalInFlight = Math.max(this.maxTotalInFlight, ++this.#total);
		try {
			return await this.handler(call);
		} finally {
			this.#inFlight.set(destination, (this.#inFlight.get(destination) ?? 1) - 1);
			this.#total--;
		}
	};

	/** Event ids received by `destination`, in arrival order, counting each txnId once (receiver de-duplication). */
	received(destination: string): string[] {
		const seen = new Set<string>();
		const ids: string[] = [];
		for (const call of this.calls) {
			if (call.destination !== destination || seen.has(call.txnId)) continue;
			seen.add(call.txnId);
			for (const pdu of (JSON.parse(call.body) as { pdus: { event_id: string }[] }).pdus)
				ids.push(pdu.event_id);
		}
		return ids;
	}
}

/** A promise with its resolve function exposed. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
	let resolve!: (value: T) => void;
	const promise = new Promise<T>((r) => (resolve = r));
	return { promise, resolve };
}

/** A send that waits for the request to be aborted, then rejects like a transport would. */
export function hangUntilAborted(call: Call): Promise<SendResult> {
	return new Promise((_, reject) => {
		call.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
	});
}
