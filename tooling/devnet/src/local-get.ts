/**
 * A plain HTTP GET to one of the devnet's own loopback listeners (the media-fetcher's download port), as a
 * homeserver's client would make it: bounded in size and time, body kept for checking.
 */
import { get } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { DevnetError } from './errors.js';

/** The answer of {@link localGet}. */
export interface LocalResponse {
	readonly status: number;
	readonly headers: IncomingHttpHeaders;
	readonly body: Buffer;
	readonly ms: number;
}

/** GETs `http://127.0.0.1:<port><path>`; fails on a body over `maxBytes` or after `timeoutMs`. */
export function localGet(
	port: number,
	path: string,
	maxBytes = 16 << 20,
	timeoutMs = 20_000,
): Promise<LocalResponse> {
	const started = performance.now();
	return new Promise((resolve, reject) => {
		const request = get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
			const chunks: Buffer[] = [];
			let size = 0;
			response.on('data', (chunk: Buffer) => {
				size += chunk.length;
				if (size > maxBytes) {
					request.destroy(
						new DevnetError('ERR_DEVNET_STEP', `GET ${path}: body larger than ${maxBytes} bytes`),
					);
					return;
				}
				chunks.push(chunk);
			});
			response.on('end', () =>
				resolve({
					status: response.statusCode ?? 0,
					headers: response.headers,
					body: Buffer.concat(chunks),
					ms: performance.now() - started,
				}),
			);
			response.on('error', reject);
		});
		request.setTimeout(timeoutMs, () =>
			request.destroy(new DevnetError('ERR_DEVNET_TIMEOUT', `GET ${path}: no answer within ${timeoutMs} ms`)),
		);
		request.on('error', reject);
	});
}
