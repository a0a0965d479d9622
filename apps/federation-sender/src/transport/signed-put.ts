/**
 * One signed `PUT /_matrix/federation/v1/send/{txnId}`: the destination resolved by the federation package
 * (`.well-known`, SRV, port 8448), the request signed with X-Matrix over the exact stored body, sent with purpose
 * `federation` (through `https_proxy` when one is set; the outbound stack reuses connections and tunnels), the
 * candidates tried in order while they cannot be reached. Any HTTP answer is returned, not thrown.
 */
import {
	buildXMatrixAuthorization,
	formatHostPort,
	MatrixRemoteError,
	type ServerResolver,
	type SigningKey,
} from '@homeserver/federation';
import type { OutboundHttp } from '@homeserver/outbound-http';
import type { SendResult } from '../worker/types.js';

/** What signed sends need. */
export interface SignedPutContext {
	readonly http: Pick<OutboundHttp, 'client'>;
	readonly resolver: ServerResolver;
	/** Our `server_name` (the X-Matrix origin). */
	readonly origin: string;
	readonly key: SigningKey;
	/** Time to wait for response headers (Synapse: 60 s per attempt). */
	readonly responseTimeoutMs: number;
	/** Cap on the answer's body (a transaction answer is small). */
	readonly maxResponseBytes: number;
}

/** Failures after which the next candidate (another SRV target) is worth trying. */
const NEXT_CANDIDATE = new Set(['ERR_DESTINATION_UNREACHABLE', 'ERR_DESTINATION_TLS', 'ERR_PROXY_REFUSED']);

/** Sends the transaction `body` (exact bytes, as stored) to `destination` under `txnId`. */
export async function signedPut(
	context: SignedPutContext,
	destination: string,
	txnId: string,
	body: string,
	signal: AbortSignal,
): Promise<SendResult> {
	const candidates = await context.resolver.resolve(destination);
	const path = `/_matrix/federation/v1/send/${encodeURIComponent(txnId)}`;
	const authorization = buildXMatrixAuthorization({
		method: 'PUT',
		uri: path,
		origin: context.origin,
		destination,
		content: JSON.parse(body) as unknown,
		key: context.key,
	});
	const client = context.http.client('federation');
	let lastError: unknown = new Error(`no address for ${destination}`);
	for (const candidate of candidates) {
		signal.throwIfAborted();
		const url = `https://${formatHostPort(candidate.host, candidate.port)}${path}`;
		try {
			const response = await client(url, {
				method: 'PUT',
				body,
				headers: { host: candidate.hostHeader, authorization, 'content-type': 'application/json' },
				throwHttpErrors: false,
				followRedirect: false,
				responseType: 'buffer',
				retry: { limit: 0 },
				signal,
				context: { maxBytes: context.maxResponseBytes },
				timeout: { response: context.responseTimeoutMs },
				...(candidate.host === candidate.serverName || candidate.sni === undefined
					? {}
					: { https: { serverName: candidate.sni } }),
			});
			const status = response.statusCode;
			const parsed = parseJson(response.rawBody);
			if (status === 200) return { status, body: parsed };
			const remote = MatrixRemoteError.fromResponse(status, response.headers, response.rawBody);
			return { status, body: parsed, retryAfterMs: remote.retryAfterMs };
		} catch (error) {
			lastError = error;
			const code = (error as { code?: unknown }).code;
			if (signal.aborted || typeof code !== 'string' || !NEXT_CANDIDATE.has(code)) break;
		}
	}
	throw lastError;
}

/** The body as JSON, or undefined when it is not JSON. */
function parseJson(raw: Buffer): unknown {
	try {
		return JSON.parse(raw.toString('utf8')) as unknown;
	} catch {
		return undefined;
	}
}
