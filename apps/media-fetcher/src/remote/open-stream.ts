/**
 * A response whose body is left to stream, and how to start one with got directly (the `Location` fetch; the
 * signed requests get theirs from the federation client).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Got, OptionsInit, PlainResponse } from 'got';

/** Status and headers of an answer whose body has not been read yet. */
export interface StreamedAnswer {
	readonly status: number;
	readonly headers: IncomingHttpHeaders;
	/** The body stream; read it, or destroy it to abort the transfer. */
	readonly body: Readable;
}

/** Resolves with the answer once headers arrive; rejects with the request's (typed) error. */
export function openStream(client: Got, url: string, options: OptionsInit): Promise<StreamedAnswer> {
	return new Promise((resolve, reject) => {
		const body = client.stream(url, { ...options, isStream: true });
		// Errors after the headers reach whoever reads the body; this keeps an unread one from crashing the process.
		body.on('error', () => undefined);
		body.once('error', reject);
		body.once('response', (response: PlainResponse) => {
			body.off('error', reject);
			resolve({ status: response.statusCode, headers: response.headers, body });
		});
	});
}

/** The announced Content-Length, or null when absent or malformed. */
export function contentLengthOf(headers: IncomingHttpHeaders): number | null {
	const value = headers['content-length'];
	return value !== undefined && /^\d{1,16}$/.test(value) ? Number(value) : null;
}
