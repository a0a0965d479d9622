/**
 * A signed federation GET through the federation client (resolution, X-Matrix, candidates in order, purpose
 * `federation`), with what a media download adds: a deadline for the response headers (the remote may wait
 * `timeout_ms` for an upload) and an abort signal that ends the request and, later, its body.
 */
import type { FederationClient, FederationStream } from '@homeserver/federation';
import { MediaFetcherError } from '../errors.js';

/** Per-request options. */
export interface SignedStreamOptions {
	/** Cap on the whole response body, enforced while it streams (a larger Content-Length is refused at once). */
	readonly maxBytes: number;
	/** Time to wait for the response headers. */
	readonly headersTimeoutMs: number;
	/** Aborts the wait for the headers, then the body. */
	readonly signal?: AbortSignal | undefined;
}

/**
 * Sends `GET path` to `destination`, signed; resolves once response headers arrive (2xx and 3xx answers; others
 * are thrown as `MatrixRemoteError`). On the headers deadline (`ERR_REMOTE_TIMEOUT`) or an abort (the signal's
 * reason), the request is abandoned: an answer arriving later is discarded.
 */
export async function openSigned(
	client: Pick<FederationClient, 'stream'>,
	destination: string,
	path: string,
	options: SignedStreamOptions,
): Promise<FederationStream> {
	const { signal } = options;
	signal?.throwIfAborted();
	const request = client.stream(destination, { method: 'GET', path, maxBytes: options.maxBytes });
	let timer: NodeJS.Timeout | undefined;
	let onAbort: (() => void) | undefined;
	const abandoned = new Promise<never>((_, reject) => {
		timer = setTimeout(
			() =>
				reject(
					new MediaFetcherError(
						'ERR_REMOTE_TIMEOUT',
						`${destination} sent no response headers within ${options.headersTimeoutMs} ms`,
					),
				),
			options.headersTimeoutMs,
		);
		onAbort = () => reject(signal?.reason as Error);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
	try {
		const answer = await Promise.race([request, abandoned]);
		if (signal !== undefined) destroyOnAbort(answer, signal);
		return answer;
	} catch (error) {
		request.then(
			(late) => late.body.destroy(),
			() => undefined,
		);
		throw error;
	} finally {
		clearTimeout(timer);
		if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
	}
}

/** Destroys the body when `signal` aborts before the body is done. */
function destroyOnAbort(answer: FederationStream, signal: AbortSignal): void {
	const onAbort = (): void => {
		answer.body.destroy(signal.reason as Error);
	};
	signal.addEventListener('abort', onAbort, { once: true });
	answer.body.once('close', () => signal.removeEventListener('abort', onAbort));
}
