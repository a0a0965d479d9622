import { Readable } from 'node:stream';

const CHUNK = 64 * 1024;
/** One period of the pattern: 251 is prime, so the pattern does not line up with any power-of-two chunk size. */
const PERIOD = 251;
const TABLE = Buffer.from(Array.from({ length: CHUNK + PERIOD }, (_, i) => i % PERIOD));

/**
 * The bytes `[offset, offset + length)` of the endless test pattern the remote homeserver serves for generated
 * media (`media.add(id, { size })`): byte `i` is `i % 251`. Tests compare downloads against it (or its hash)
 * without the file ever existing anywhere.
 */
export function generatedBytes(offset: number, length: number): Buffer {
	const out = Buffer.allocUnsafe(length);
	for (let written = 0; written < length;) {
		const start = (offset + written) % PERIOD;
		const count = Math.min(CHUNK, length - written);
		TABLE.copy(out, written, start, start + count);
		written += count;
	}
	return out;
}

/**
 * A stream of `size` bytes of the test pattern, made on the fly in 64 KiB chunks as the reader asks for them
 * (back-pressure respected), so a 1 GiB body costs no memory. With `stallAfter`, it emits that many bytes and
 * then nothing more, never ending (a stalled body).
 */
export function generatedStream(size: number, stallAfter?: number): Readable {
	const limit = stallAfter === undefined ? size : Math.min(size, stallAfter);
	let position = 0;
	return new Readable({
		highWaterMark: CHUNK,
		read() {
			if (position >= limit) {
				if (stallAfter === undefined) this.push(null);
				return;
			}
			const count = Math.min(CHUNK, limit - position);
			const start = position % PERIOD;
			position += count;
			this.push(TABLE.subarray(start, start + count));
		},
	});
}
