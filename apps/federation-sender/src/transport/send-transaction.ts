/**
 * The worker's {@link SendTransaction} over the federation client: `PUT /_matrix/federation/v1/send/{txnId}` with
 * the stored body. The body is stored as canonical JSON and handed to the client as `canonicalBody`, unparsed, so
 * the bytes on the wire are the stored ones, identical on every retry of a txnId (docs/architecture.md 4). A
 * remote's error answer becomes a result (status, `errcode`/`error`, retry delay) for the worker's retry rules; no
 * answer at all is thrown.
 * The worker's signal goes to the client: an abort (shutdown grace over) cancels the request and its connection.
 *
 * The attempt's deadline (`timeoutMs`) starts before the destination is resolved: waiting for a resolution permit,
 * the `.well-known` fetch, SRV, then the request itself all spend the same budget (docs/architecture.md 3.6). A
 * destination whose `.well-known` is not cached is resolved under a {@link PermitGate} permit first, so that slow
 * resolutions are bounded in number: the worker's other slots stay for the sends.
 */
import { encodePathSegment, FederationTimeoutError, MatrixRemoteError } from '@homeserver/federation';
import type { FederationClient } from '@homeserver/federation';
import type { SendResult, SendTransaction } from '../worker/types.js';
import type { PermitGate } from './permit-gate.js';

/** Limits of one send. */
export interface SendLimits {
	/** Deadline of one attempt, resolution included, from the call to the end of the answer (Synapse: 60 s). */
	readonly timeoutMs: number;
	/** Cap on the answer's body (a transaction answer is small). */
	readonly maxResponseBytes: number;
	/** Bounds the resolutions that need a `.well-known` fetch (none: resolution happens inside the request). */
	readonly resolutions?: PermitGate | undefined;
}

/** The result the worker sees for a remote's error answer: as if the Matrix error body had been parsed. */
function remoteResult(error: MatrixRemoteError): SendResult {
	const body: Record<string, string> = {};
	if (error.errcode !== undefined) body['errcode'] = error.errcode;
	if (error.error !== undefined) body['error'] = error.error;
	return { status: error.status, body, retryAfterMs: error.retryAfterMs };
}

/**
 * Resolves `destination` under a permit of `gate` when its `.well-known` is not cached, within `signal` (the
 * attempt's deadline and the worker's abort). The answer lands in the resolver's caches, where the request finds
 * it; a resolution failure is left for the request to report (it fails the same way, from the cache).
 */
async function resolveFirst(
	client: Pick<FederationClient, 'resolver' | 'assertAllowed'>,
	gate: PermitGate,
	destination: string,
	signal: AbortSignal,
): Promise<void> {
	// federation_domain_whitelist first: a refused destination costs no .well-known, SRV or socket.
	client.assertAllowed(destination);
	if (!client.resolver.needsWellKnown(destination)) return;
	await gate.run(signal, async () => {
		try {
			await client.resolver.resolve(destination, { signal });
		} catch (error) {
			if (signal.aborted) throw error;
		}
	});
}

/**
 * A {@link SendTransaction} sending through `client`. An abort of `signal` rejects with the client's
 * `ERR_ABORTED` (the signal's reason on `cause`), the request cancelled; a spent deadline with
 * `FederationTimeoutError` (`ERR_TIMEOUT`, phase `deadline`).
 */
export function sendTransactionVia(
	client: Pick<FederationClient, 'request' | 'resolver' | 'assertAllowed'>,
	limits: SendLimits,
): SendTransaction {
	return async (destination, txnId, body, { signal }) => {
		const startedAt = Date.now();
		let stage: 'resolution' | 'request' = 'resolution';
		const expired = new AbortController();
		const timer = setTimeout(
			() => expired.abort(new FederationTimeoutError(destination, limits.timeoutMs, stage)),
			limits.timeoutMs,
		);
		const attempt = AbortSignal.any([signal, expired.signal]);
		try {
			if (limits.resolutions !== undefined) {
				await resolveFirst(client, limits.resolutions, destination, attempt);
			}
			stage = 'request';
			const response = await client.request(destination, {
				method: 'PUT',
				path: `/_matrix/federation/v1/send/${encodePathSegment(txnId)}`,
				canonicalBody: body,
				maxBytes: limits.maxResponseBytes,
				timeout: Math.max(1, limits.timeoutMs - (Date.now() - startedAt)),
				signal,
			});
			return { status: response.status, body: response.body };
		} catch (error) {
			if (error instanceof MatrixRemoteError) return remoteResult(error);
			throw error;
		} finally {
			clearTimeout(timer);
		}
	};
}
