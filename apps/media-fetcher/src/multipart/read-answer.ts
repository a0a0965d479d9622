/**
 * Reads a federation media answer (`multipart/mixed`) from a byte stream and hands back either the media as a
 * stream of its own or the `Location` to fetch it from.
 *
 * Pull-based: the source is read only as fast as the returned `body` is consumed, so a file of any size passes
 * through in chunk-sized pieces. When the media part ends, or the caller stops reading, the source is released
 * (destroyed, which aborts an HTTP response).
 */
import { Readable } from 'node:stream';
import { MediaFetcherError } from '../errors.js';
import { boundaryFromContentType } from './boundary.js';
import { MultipartMixedParser, type MultipartEvent, type MultipartLimits } from './parser.js';
import type { PartHeaders } from './part-headers.js';

/** The answer, once the second part's headers are known. */
export type MultipartAnswer =
	| {
			readonly kind: 'inline';
			/** The JSON part (currently always `{}`). */
			readonly metadata: Readonly<Record<string, unknown>>;
			/** The media part's headers, names in lower case (`content-type`, `content-disposition`...). */
			readonly headers: PartHeaders;
			/** The media bytes, streamed; fails with `ERR_MULTIPART_INVALID` or the source's own error. */
			readonly body: Readable;
	  }
	| {
			readonly kind: 'location';
			readonly metadata: Readonly<Record<string, unknown>>;
			/** The `Location` header value, unchecked: the caller resolves and routes it. */
			readonly location: string;
			readonly headers: PartHeaders;
	  };

/**
 * Parses `source` (the response body) as a federation media answer whose Content-Type is `contentType`.
 * Throws `ERR_MULTIPART_INVALID` for a bad answer, or the source's error when reading it fails.
 */
export async function readMultipartAnswer(
	source: Readable,
	contentType: string | undefined,
	limits: Partial<MultipartLimits> = {},
): Promise<MultipartAnswer> {
	const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
	const release = async (): Promise<void> => {
		source.destroy();
		await iterator.return?.();
	};
	const queue: MultipartEvent[] = [];
	let metadata: Readonly<Record<string, unknown>> = {};
	try {
		const parser = new MultipartMixedParser(
			boundaryFromContentType(contentType),
			(event) => queue.push(event),
			limits,
		);
		for (;;) {
			const next = await iterator.next();
			if (next.done === true) {
				parser.end();
			} else {
				parser.write(next.value);
			}
			while (queue.length > 0 && queue[0]!.kind === 'metadata') {
				metadata = (queue.shift() as { metadata: Readonly<Record<string, unknown>> }).metadata;
			}
			const head = queue[0];
			if (head?.kind === 'location') {
				await release();
				return { kind: 'location', metadata, location: head.location, headers: head.headers };
			}
			if (head?.kind === 'media') {
				queue.shift();
				const body = Readable.from(mediaBytes(parser, iterator, queue, next.done === true, release), {
					objectMode: false,
				});
				return { kind: 'inline', metadata, headers: head.headers, body };
			}
			if (next.done === true) {
				throw new MediaFetcherError('ERR_MULTIPART_INVALID', 'The answer ended before the media part');
			}
		}
	} catch (error) {
		await release().catch(() => undefined);
		throw error;
	}
}

async function* mediaBytes(
	parser: MultipartMixedParser,
	iterator: AsyncIterator<Buffer>,
	queue: MultipartEvent[],
	sourceDone: boolean,
	release: () => Promise<void>,
): AsyncGenerator<Buffer> {
	try {
		let done = sourceDone;
		for (;;) {
			for (let event = queue.shift(); event !== undefined; event = queue.shift()) {
				if (event.kind === 'end') {
					return;
				}
				if (event.kind === 'data') {
					yield event.chunk;
				}
			}
			if (done) {
				return;
			}
			const next = await iterator.next();
			if (next.done === true) {
				done = true;
				parser.end();
			} else {
				parser.write(next.value);
			}
		}
	} finally {
		await release();
	}
}
