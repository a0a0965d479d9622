/**
 * Builds the body of `PUT /_matrix/federation/v1/send/{txnId}` from already-serialised items, so the stored
 * text is exactly what goes on the wire, every time.
 */

/**
 * `{"origin":…,"origin_server_ts":…,"pdus":[…],"edus":[…]}`; `edus` is omitted when empty, as Synapse does.
 * `pdus` and `edus` are JSON texts, placed verbatim.
 */
export function buildTransactionBody(
	origin: string,
	originServerTs: number,
	pdus: readonly string[],
	edus: readonly string[],
): string {
	const head = `{"origin":${JSON.stringify(origin)},"origin_server_ts":${Math.trunc(originServerTs)}`;
	const pduPart = `,"pdus":[${pdus.join(',')}]`;
	const eduPart = edus.length > 0 ? `,"edus":[${edus.join(',')}]` : '';
	return `${head}${pduPart}${eduPart}}`;
}

/**
 * The next transaction id: a counter seeded with the time in milliseconds, as Synapse does, but never going
 * backwards (it is persisted, and it jumps forward to the clock), so ids stay unique per destination.
 */
export function nextTxnCounter(previous: number, nowMs: number): number {
	return Math.max(previous + 1, Math.trunc(nowMs));
}
