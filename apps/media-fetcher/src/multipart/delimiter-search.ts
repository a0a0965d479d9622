/**
 * Finds a multipart delimiter (`CRLF--boundary`) in a byte stream pushed chunk by chunk, including a delimiter
 * split across any number of chunks, and hands on everything else as views of the chunks it came in (no copy).
 *
 * The search inside a chunk is `Buffer#indexOf`, native code that skips through the media at memory speed: the
 * media part is nearly the whole answer, and a search written in JavaScript that looks at its bytes one by one
 * (streamsearch, which this replaces) cost about as much CPU as the sha256 of the same bytes. Only the end of a
 * chunk that could be the start of a delimiter is held back (a copy of fewer bytes than the delimiter) until the
 * next chunk says whether it is one.
 *
 * It relies on one property of the delimiter, which RFC 2046's boundary grammar guarantees (boundary.ts): its
 * first byte (CR) occurs nowhere else in it, so a delimiter can only start at a CR, and two candidate starts never
 * overlap.
 */

const CR = 0x0d;
const EMPTY = Buffer.alloc(0);

/** See the module comment. */
export class DelimiterSearch {
	readonly #needle: Buffer;
	readonly #onData: (bytes: Buffer) => void;
	readonly #onDelimiter: () => void;
	/** The end of the last chunk: a proper prefix of the delimiter, not yet known to be data. */
	#held: Buffer = EMPTY;

	/**
	 * @param needle - the delimiter; its first byte must be CR and occur nowhere else in it.
	 * @param onData - bytes that are not part of a delimiter, in order (views of the pushed chunks, or of a copy).
	 * @param onDelimiter - a whole delimiter was found (after the data before it was handed on).
	 */
	constructor(needle: Buffer, onData: (bytes: Buffer) => void, onDelimiter: () => void) {
		if (needle.length < 2 || needle[0] !== CR || needle.indexOf(CR, 1) !== -1) {
			throw new RangeError('the delimiter must start with CR and contain no other CR');
		}
		this.#needle = needle;
		this.#onData = onData;
		this.#onDelimiter = onDelimiter;
	}

	/** Searches `chunk`, continuing a delimiter the previous chunk may have started. */
	push(chunk: Buffer): void {
		let from = 0;
		if (this.#held.length > 0) {
			from = this.#continueHeld(chunk);
			if (from < 0) return;
		}
		const needle = this.#needle;
		for (;;) {
			const at = chunk.indexOf(needle, from);
			if (at === -1) break;
			if (at > from) this.#onData(chunk.subarray(from, at));
			from = at + needle.length;
			this.#onDelimiter();
		}
		const start = this.#partialAt(chunk, from);
		if (start > from) this.#onData(chunk.subarray(from, start));
		if (start < chunk.length) this.#held = Buffer.from(chunk.subarray(start));
	}

	/** The end of the input: bytes held back as a possible delimiter start are data after all. */
	end(): void {
		const held = this.#held;
		this.#held = EMPTY;
		if (held.length > 0) this.#onData(held);
	}

	/**
	 * Completes or refutes the held delimiter start with the first bytes of `chunk`; returns where the search of
	 * `chunk` goes on, or -1 when all of `chunk` was taken into a still incomplete delimiter.
	 */
	#continueHeld(chunk: Buffer): number {
		const held = this.#held;
		const needle = this.#needle;
		const missing = needle.length - held.length;
		const compared = Math.min(missing, chunk.length);
		if (chunk.compare(needle, held.length, held.length + compared, 0, compared) !== 0) {
			// Not a delimiter; and none can start later inside the held bytes (a start is a CR, held only at 0).
			this.#held = EMPTY;
			this.#onData(held);
			return 0;
		}
		if (compared < missing) {
			this.#held = Buffer.concat([held, chunk]);
			return -1;
		}
		this.#held = EMPTY;
		this.#onDelimiter();
		return missing;
	}

	/** Where a proper prefix of the delimiter starts at the very end of `chunk` (from `from` on), or its length. */
	#partialAt(chunk: Buffer, from: number): number {
		const needle = this.#needle;
		let at = chunk.indexOf(CR, Math.max(from, chunk.length - needle.length + 1));
		while (at !== -1) {
			if (chunk.compare(needle, 0, chunk.length - at, at) === 0) return at;
			at = chunk.indexOf(CR, at + 1);
		}
		return chunk.length;
	}
}
