/**
 * Reads a federation media answer (`multipart/mixed`) from a byte stream and hands back either the media as a
 * stream of its own or the `Location` to fetch it from.
 *
 * One stream layer between the transport and the reader of the media: the source's chunks go through the parser
 * as they arrive and its media bytes are pushed into the returned `body` (views of the source's chunks, no copy);
 * when `body` holds `highWaterMark` bytes nobody has read yet, the source is paused, and resumed when they are
 * read. So a file of any size passes through in chunk-sized pieces at the cost of one push per chunk, not a chain
 * of async iterators and generators per chunk. When the media part ends, or the body is destroyed, the source is
 * released (destroyed, which aborts an HTTP response).
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
			/**
			 * The media bytes, streamed; fails with `ERR_MULTIPART_INVALID` or the source's own error (through
			 * `mapError`). A failure before anyone reads it is kept for the reader, never an unhandled error.
			 */
			readonly body: Readable;
	  }
	| {
			readonly kind: 'location';
			readonly metadata: Readonly<Record<string, unknown>>;
			/** The `Location` header value, unchecked: the caller resolves and routes it. */
			readonly location: string;
			readonly headers: PartHeaders;
	  };

/** Options of {@link readMultipartAnswer}. */
export interface ReadAnswerOptions {
	/** Size caps of the parser (defaults: `defaultMultipartLimits`). */
	readonly limits?: Partial<MultipartLimits>;
	/** What an error of the source becomes before a reader sees it (default: unchanged). */
	readonly mapError?: (error: unknown) => Error;
	/** Unread media bytes the body holds before the source is paused. Default 256 KiB. */
	readonly highWaterMark?: number;
}

const DEFAULT_HIGH_WATER_MARK = 256 * 1024;

/** The media part: filled by the reader, pulling only resumes the source. */
class MediaPartBody extends Readable {
	readonly #resume: () => void;
	readonly #release: () => void;

	constructor(highWaterMark: number, resume: () => void, release: () => void) {
		super({ highWaterMark });
		this.#resume = resume;
		this.#release = release;
	}

	override _read(): void {
		this.#resume();
	}

	override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
		this.#release();
		callback(error);
	}
}

function cutOff(): Error {
	return Object.assign(new Error('The answer was cut off before its end'), {
		code: 'ERR_STREAM_PREMATURE_CLOSE',
	});
}

/**
 * Parses `source` (the response body) as a federation media answer whose Content-Type is `contentType`.
 * Rejects with `ERR_MULTIPART_INVALID` for a bad answer, or the source's error when reading it fails.
 */
export function readMultipartAnswer(
	source: Readable,
	contentType: string | undefined,
	options: ReadAnswerOptions = {},
): Promise<MultipartAnswer> {
	const mapError = options.mapError ?? ((error: unknown) => error as Error);
	return new Promise((resolve, reject) => {
		let metadata: Readonly<Record<string, unknown>> = {};
		let body: MediaPartBody | undefined;
		/** The source is no longer listened to: released, or the body's last byte pushed. */
		let finished = false;
		const release = (): void => {
			if (finished) return;
			finished = true;
			source.off('data', onData);
			source.off('end', onEnd);
			source.off('close', onClose);
			// Later errors of a released source (an abort it reports) have nobody to reach.
			source.on('error', () => undefined);
			source.off('error', fail);
			source.destroy();
		};
		const fail = (error: unknown): void => {
			if (finished) return;
			release();
			const mapped = mapError(error);
			if (body === undefined) reject(mapped);
			else body.destroy(mapped);
		};
		const onEvent = (event: MultipartEvent): void => {
			switch (event.kind) {
				case 'metadata':
					metadata = event.metadata;
					return;
				case 'location':
					release();
					resolve({ kind: 'location', metadata, location: event.location, headers: event.headers });
					return;
				case 'media':
					body = new MediaPartBody(
						options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK,
						() => source.resume(),
						release,
					);
					// A failure before the reader comes stays on the body (`errored`) for it to find.
					body.on('error', () => undefined);
					resolve({ kind: 'inline', metadata, headers: event.headers, body });
					return;
				case 'data':
					if (body?.push(event.chunk) === false) source.pause();
					return;
				case 'end':
					release();
					body?.push(null);
					return;
			}
		};
		let parser: MultipartMixedParser;
		try {
			parser = new MultipartMixedParser(boundaryFromContentType(contentType), onEvent, options.limits);
		} catch (error) {
			source.on('error', () => undefined);
			source.destroy();
			reject(mapError(error));
			return;
		}
		function onData(chunk: Buffer): void {
			try {
				parser.write(chunk);
			} catch (error) {
				fail(error);
			}
		}
		function onEnd(): void {
			try {
				parser.end();
				if (body === undefined && !finished) {
					throw new MediaFetcherError('ERR_MULTIPART_INVALID', 'The answer ended before the media part');
				}
			} catch (error) {
				fail(error);
			}
		}
		function onClose(): void {
			fail(cutOff());
		}
		source.on('data', onData);
		source.on('end', onEnd);
		source.on('close', onClose);
		source.on('error', fail);
	});
}
