/**
 * The worker's {@link SendTransaction} over the federation client: `PUT /_matrix/federation/v1/send/{txnId}` with
 * the stored body. The body is stored as canonical JSON and the client sends `canonicalJson(JSON.parse(body))`, so
 * the bytes on the wire are the stored ones, identical on every retry of a txnId. A remote's error answer becomes
 * a result (status, `errcode`/`error`, retry delay) for the worker's retry rules; no answer at all is thrown.
 * The worker's signal goes to the client: an abort (shutdown grace over) cancels the request and its connection.
 */
import { encodePathSegment, MatrixRemoteError } from '@homeserver/federation';
import type { FederationClient, JsonObject } from '@homeserver/federation';
import type { SendResult, SendTransaction } from '../worker/types.js';

/** Limits of one send. */
export interface SendLimits {
	/** Deadline of one attempt, from the first byte sent to the end of the answer (Synapse: 60 s). */
	readonly timeoutMs: number;
	/** Cap on the answer's body (a transaction answer is small). */
	readonly maxResponseBytes: number;
}

/** The result the worker sees for a remote's error answer: as if the Matrix error body had been parsed. */
function remoteResult(error: MatrixRemoteError): SendResult {
	const body: Record<string, string> = {};
	if (error.errcode !== undefined) body['errcode'] = error.errcode;
	if (error.error !== undefined) body['error'] = error.error;
	return { status: error.status, body, retryAfterMs: error.retryAfterMs };
}

/**
 * A {@link SendTransaction} sending through `client`. An abort of `signal` rejects with the client's
 * `ERR_ABORTED` (the signal's reason on `cause`), the request cancelled.
 */
export function sendTransactionVia(
	client: Pick<FederationClient, 'request'>,
	limits: SendLimits,
): SendTransaction {
	return async (destination, txnId, body, { signal }) => {
		try {
			const response = await client.request(destination, {
				method: 'PUT',
				path: `/_matrix/federation/v1/send/${encodePathSegment(txnId)}`,
				body: JSON.parse(body) as JsonObject,
				maxBytes: limits.maxResponseBytes,
				timeout: limits.timeoutMs,
				signal,
			});
			return { status: response.status, body: response.body };
		} catch (error) {
			if (error instanceof MatrixRemoteError) return remoteResult(error);
			throw error;
		}
	};
}
