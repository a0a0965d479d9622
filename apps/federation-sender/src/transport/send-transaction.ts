/**
 * The worker's {@link SendTransaction} over the federation client: `PUT /_matrix/federation/v1/send/{txnId}` with
 * the stored body. The body is stored as canonical JSON and the client sends `canonicalJson(JSON.parse(body))`, so
 * the bytes on the wire are the stored ones, identical on every retry of a txnId. A remote's error answer becomes
 * a result (status, `errcode`/`error`, retry delay) for the worker's retry rules; no answer at all is thrown.
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
 * Settles with `work`, or rejects with the signal's reason as soon as `signal` aborts (shutdown grace over). The
 * abandoned request ends when the outbound stack is closed; its outcome is ignored.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
	signal.throwIfAborted();
	work.catch(() => undefined);
	return new Promise<T>((resolve, reject) => {
		const onAbort = (): void => reject(signal.reason as Error);
		signal.addEventListener('abort', onAbort, { once: true });
		work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
	});
}

/** A {@link SendTransaction} sending through `client`. */
export function sendTransactionVia(
	client: Pick<FederationClient, 'request'>,
	limits: SendLimits,
): SendTransaction {
	return (destination, txnId, body, { signal }) => {
		signal.throwIfAborted();
		const sent = client
			.request(destination, {
				method: 'PUT',
				path: `/_matrix/federation/v1/send/${encodePathSegment(txnId)}`,
				body: JSON.parse(body) as JsonObject,
				maxBytes: limits.maxResponseBytes,
				timeout: limits.timeoutMs,
			})
			.then(
				(response): SendResult => ({ status: response.status, body: response.body }),
				(error: unknown) => {
					if (error instanceof MatrixRemoteError) return remoteResult(error);
					throw error;
				},
			);
		return untilAborted(sent, signal);
	};
}
