/**
 * Builds the body of `PUT /_matrix/federation/v1/send/{txnId}` from already-serialised items, so the stored
 * text is exactly what goes on the wire, every time.
 */

/**
 * `{"edus":[…],"origin":…,"origin_server_ts":…,"pdus":[…]}`: canonical JSON (keys in code-point order, no
 * whitespace) when the items are canonical JSON, as `parsePdu`/`parseEdu` store them. The federation client signs
 * and sends this very text (`canonicalBody`): retries of a txnId carry identical bytes.
 * `edus` is omitted when empty, as Synapse does. `pdus` and `edus` are JSON texts, placed verbatim.
 */
export function buildTransactionBody(
	origin: string,
	originServerTs: number,
	pdus: readonly string[],
	edus: readonly string[],
): string {
	const eduPart = edus.length > 0 ? `"edus":[${edus.join(',')}],` : '';
	const head = `"origin":${JSON.stringify(origin)},"origin_server_ts":${Math.trunc(originServerTs)}`;
	return `{${eduPart}${head},"pdus":[${pdus.join(',')}]}`;
}

/**
 * The next transaction id: a counter seeded with the time in milliseconds, as Synapse does, but never going
 * backwards (it is persisted, and it jumps forward to the clock), so ids stay unique per destination.
 */
export function nextTxnCounter(previous: number, nowMs: number): number {
	return Math.max(previous + 1, Math.trunc(nowMs));
}
