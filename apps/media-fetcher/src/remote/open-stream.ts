/**
 * Starts a streaming got request and waits for its response headers, leaving the body unread.
 */
import type { Got, OptionsInit, PlainResponse, Request } from 'got';
import { MediaFetcherError } from '../errors.js';

/** A response whose body has not been read yet. */
export interface OpenResponse {
	readonly response: PlainResponse;
	/** The body stream; read it, or destroy it to abort the transfer. */
	readonly body: Request;
}

/** Resolves with the response once headers arrive; rejects with the request's (typed) error. */
export function openStream(client: Got, url: string, options: OptionsInit): Promise<OpenResponse> {
	return new Promise((resolve, reject) => {
		const body = client.stream(url, { ...options, isStream: true });
		// Errors after the headers reach whoever reads the body; this keeps an unread one from crashing the process.
		body.on('error', () => undefined);
		body.once('error', reject);
		body.once('response', (response: PlainResponse) => {
			body.off('error', reject);
			resolve({ response, body });
		});
	});
}

/** The announced Content-Length, or null when absent or malformed. */
export function contentLengthOf(response: PlainResponse): number | null {
	const value = response.headers['content-length'];
	return value !== undefined && /^\d{1,16}$/.test(value) ? Number(value) : null;
}

/** Throws `ERR_MEDIA_TOO_LARGE` (and aborts the body) when the announced length exceeds `limit`. */
export function refuseAnnouncedOversize(open: OpenResponse, limit: number): void {
	const length = contentLengthOf(open.response);
	if (length !== null && length > limit) {
		open.body.destroy();
		throw new MediaFetcherError(
			'ERR_MEDIA_TOO_LARGE',
			`The remote announces ${length} bytes, more than ${limit}`,
		);
	}
}

/** Reads at most `limit` bytes of a (small, error) body, then aborts the rest. */
export async function readSmallBody(open: OpenResponse, limit: number): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of open.body) {
			chunks.push(chunk as Buffer);
			size += (chunk as Buffer).length;
			if (size >= limit) {
				break;
			}
		}
	} catch {
		// An error body that fails to arrive is just an empty one.
	} finally {
		open.body.destroy();
	}
	return Buffer.concat(chunks).subarray(0, limit);
}
