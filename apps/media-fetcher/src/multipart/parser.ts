/**
 * A push parser for the federation media answer: a `multipart/mixed` body with a JSON part, then either the
 * media bytes or a part with a `Location` header (spec "Content Repository", MSC3916).
 *
 * It is synchronous and allocation-light: bytes go in with {@link MultipartMixedParser.write}, events come out
 * through a callback, and the media bytes are handed on as they arrive, never gathered (views of the chunks they
 * came in). The delimiter search is {@link DelimiterSearch} (native `Buffer#indexOf`), which finds delimiters
 * split across any chunk boundary. Tolerated, as real servers send them: a preamble (Synapse's leading CRLF), a
 * first delimiter without a CRLF before it, transport padding after a delimiter, a missing closing delimiter,
 * anything after the second part. Everything else hostile ends in `ERR_MULTIPART_INVALID`, thrown from `write` or
 * `end`.
 */
import { MediaFetcherError } from '../errors.js';
import { DelimiterSearch } from './delimiter-search.js';
import { assertJsonPartHeaders, parseJsonPart } from './json-part.js';
import { parsePartHeaders, type PartHeaders } from './part-headers.js';

/** Size caps; every one bounds what a hostile remote can make this parser hold in memory. */
export interface MultipartLimits {
	/** Bytes before the first delimiter (Synapse sends 2). Default 4 KiB. */
	readonly maxPreambleBytes: number;
	/** Bytes of one part's boundary line plus header block. Default 8 KiB. */
	readonly maxHeaderBytes: number;
	/** Bytes of the JSON metadata part (currently always `{}`). Default 64 KiB. */
	readonly maxJsonBytes: number;
}

/** The defaults of {@link MultipartLimits}. */
export const defaultMultipartLimits: MultipartLimits = Object.freeze({
	maxPreambleBytes: 4096,
	maxHeaderBytes: 8192,
	maxJsonBytes: 65_536,
});

/** What the parser reports, in order: `metadata`, then `location` or `media` + `data`... + `end`. */
export type MultipartEvent =
	| { readonly kind: 'metadata'; readonly metadata: Readonly<Record<string, unknown>> }
	| { readonly kind: 'location'; readonly location: string; readonly headers: PartHeaders }
	| { readonly kind: 'media'; readonly headers: PartHeaders }
	| { readonly kind: 'data'; readonly chunk: Buffer }
	| { readonly kind: 'end'; readonly closed: boolean };

type State = 'preamble' | 'head' | 'json' | 'media' | 'ignore' | 'done';

const EMPTY = Buffer.alloc(0);
const CRLF = Buffer.from('\r\n');
const CRLF2 = Buffer.from('\r\n\r\n');
const PADDING = /^[ \t]*$/;
const PARTIAL_LINE = /^[ \t]*\r?$/;

function invalid(message: string): MediaFetcherError {
	return new MediaFetcherError('ERR_MULTIPART_INVALID', message);
}

/** Parses one federation media answer; create one per response. */
export class MultipartMixedParser {
	readonly #emit: (event: MultipartEvent) => void;
	readonly #limits: MultipartLimits;
	readonly #search: DelimiterSearch;
	#state: State = 'preamble';
	/** 0 while reading the JSON part, 1 for the media part. */
	#part = 0;
	#preambleBytes = 0;
	#head: Buffer = EMPTY;
	#buffered: Buffer[] = [];
	#bufferedBytes = 0;
	#failed: MediaFetcherError | undefined;

	constructor(
		boundary: string,
		emit: (event: MultipartEvent) => void,
		limits: Partial<MultipartLimits> = {},
	) {
		this.#emit = emit;
		this.#limits = { ...defaultMultipartLimits, ...limits };
		if (/[\r\n]/.test(boundary)) {
			throw invalid('The multipart boundary contains a line break');
		}
		this.#search = new DelimiterSearch(
			Buffer.from(`\r\n--${boundary}`, 'latin1'),
			(bytes) => this.#onData(bytes),
			() => this.#onDelimiter(),
		);
		// A CRLF in front lets the first delimiter match without one of its own, as RFC 2046 allows.
		this.#search.push(CRLF);
	}

	/** Feeds the next bytes of the body. Throws `ERR_MULTIPART_INVALID`; after that the parser stays failed. */
	write(chunk: Buffer): void {
		this.#guard(() => {
			if (this.#state !== 'done') {
				this.#search.push(chunk);
			}
		});
	}

	/** Says the body ended. Throws `ERR_MULTIPART_INVALID` unless the answer was complete enough to use. */
	end(): void {
		this.#guard(() => {
			this.#search.end();
			if (this.#state === 'head') {
				this.#finishHeadEarly();
			}
			switch (this.#state) {
				case 'media':
					this.#state = 'done';
					this.#emit({ kind: 'end', closed: false });
					return;
				case 'ignore':
				case 'done':
					this.#state = 'done';
					return;
				case 'preamble':
					throw invalid('The answer contains no multipart delimiter');
				default:
					throw invalid(
						this.#part === 0
							? 'The answer ended inside the JSON part'
							: 'The answer ended before the media part',
					);
			}
		});
	}

	#guard(action: () => void): void {
		if (this.#failed !== undefined) {
			throw this.#failed;
		}
		try {
			action();
		} catch (error) {
			this.#state = 'done';
			this.#failed =
				error instanceof MediaFetcherError
					? error
					: new MediaFetcherError('ERR_MULTIPART_INVALID', 'Parser failure', { cause: error });
			throw this.#failed;
		}
	}

	#onData(bytes: Buffer): void {
		switch (this.#state) {
			case 'preamble':
				this.#preambleBytes += bytes.length;
				if (this.#preambleBytes > this.#limits.maxPreambleBytes) {
					throw invalid('The multipart preamble is too long');
				}
				return;
			case 'head':
				this.#onHeadData(bytes);
				return;
			case 'json':
				this.#buffer(bytes, this.#limits.maxJsonBytes, 'The JSON part is too large');
				return;
			case 'media':
				this.#emit({ kind: 'data', chunk: bytes });
				return;
			default:
				return;
		}
	}

	#onDelimiter(): void {
		switch (this.#state) {
			case 'preamble':
				this.#enterHead();
				return;
			case 'head':
				this.#finishHeadEarly();
				this.#onDelimiter();
				return;
			case 'json':
				this.#finishJson();
				this.#part = 1;
				this.#enterHead();
				return;
			case 'media':
				this.#state = 'done';
				this.#emit({ kind: 'end', closed: true });
				return;
			default:
				this.#state = 'done';
				return;
		}
	}

	#buffer(bytes: Buffer, limit: number, message: string): void {
		this.#bufferedBytes += bytes.length;
		if (this.#bufferedBytes > limit) {
			throw invalid(message);
		}
		this.#buffered.push(bytes);
	}

	#enterHead(): void {
		this.#state = 'head';
		this.#head = EMPTY;
	}

	/**
	 * Looks for the end of the boundary line and of the header block in what follows a delimiter. Only the
	 * bytes that can still belong to the head are copied; the rest of `bytes` is handed on as the part's body.
	 */
	#onHeadData(bytes: Buffer): void {
		const prior = this.#head;
		const take = bytes.subarray(0, this.#limits.maxHeaderBytes + 4 - prior.length);
		const head = prior.length === 0 ? take : Buffer.concat([prior, take]);
		if (head[0] === 0x2d && (head.length === 1 || head[1] === 0x2d)) {
			if (head.length === 1) {
				this.#head = Buffer.from(head);
				return;
			}
			throw invalid(this.#part === 0 ? 'The answer has no parts' : 'The answer has no media part');
		}
		const lineEnd = head.indexOf(CRLF);
		if (
			!(lineEnd === -1 ? PARTIAL_LINE : PADDING).test(
				head.toString('latin1', 0, lineEnd === -1 ? head.length : lineEnd),
			)
		) {
			throw invalid('Unexpected bytes after a multipart delimiter');
		}
		const blockEnd = lineEnd === -1 ? -1 : head.indexOf(CRLF2, lineEnd);
		if (blockEnd === -1) {
			if (head.length > this.#limits.maxHeaderBytes) {
				throw invalid('A part header block is too large');
			}
			this.#head = Buffer.from(head);
			return;
		}
		const headers = parsePartHeaders(head.subarray(lineEnd + 2, Math.max(lineEnd + 2, blockEnd)));
		const rest = bytes.subarray(blockEnd + 4 - prior.length);
		this.#head = EMPTY;
		this.#startPart(headers);
		if (rest.length > 0) {
			this.#onData(rest);
		}
	}

	/**
	 * A part may end right after its header lines, without the blank line (RFC 2046: the body is optional).
	 * Synapse's `Location` part does this: `Location: ...CRLF` then the next delimiter, whose CRLF is its own.
	 */
	#finishHeadEarly(): void {
		const head = this.#head;
		const lineEnd = head.indexOf(CRLF);
		if (lineEnd === -1 || (head.length > lineEnd + 2 && head.lastIndexOf(CRLF) !== head.length - 2)) {
			throw invalid('A part ended inside its headers');
		}
		this.#head = EMPTY;
		this.#startPart(parsePartHeaders(head.subarray(lineEnd + 2, Math.max(lineEnd + 2, head.length - 2))));
	}

	#startPart(headers: PartHeaders): void {
		if (this.#part === 0) {
			assertJsonPartHeaders(headers);
			this.#buffered = [];
			this.#bufferedBytes = 0;
			this.#state = 'json';
			return;
		}
		const location = headers.get('location');
		if (location !== undefined) {
			this.#state = 'ignore';
			this.#emit({ kind: 'location', location, headers });
			return;
		}
		this.#state = 'media';
		this.#emit({ kind: 'media', headers });
	}

	#finishJson(): void {
		this.#emit({ kind: 'metadata', metadata: parseJsonPart(this.#buffered) });
	}
}
