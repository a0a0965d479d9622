// Builders of federation media answers, byte for byte as Synapse's MultipartFileConsumer writes them.
import { MultipartMixedParser, type MultipartEvent } from '../../src/index.js';

export const BOUNDARY = '6067d4698f8d40a0a794ea7d7379d53a';
export const CONTENT_TYPE = `multipart/mixed; boundary=${BOUNDARY}`;

/** Synapse's inline layout: CRLF, JSON part, media part with type and disposition, closing delimiter, CRLF. */
export function synapseInline(
	media: Buffer,
	type = 'text/plain',
	disposition = 'inline; filename=test.txt',
): Buffer {
	return Buffer.concat([
		Buffer.from(
			`\r\n--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{}\r\n--${BOUNDARY}\r\n` +
				`Content-Type: ${type}\r\nContent-Disposition: ${disposition}\r\n\r\n`,
		),
		media,
		Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
	]);
}

/** The Location vector copied from Synapse's tests/http/test_matrixfederationclient.py. */
export const SYNAPSE_LOCATION_VECTOR = Buffer.from(
	'\r\n\r\n--6067d4698f8d40a0a794ea7d7379d53a\r\nContent-Type: application/json\r\n\r\n{}\r\n' +
		'--6067d4698f8d40a0a794ea7d7379d53a\r\nLocation: http://testserv:8008/ab/c1/2345.txt\r\n\r\n' +
		'--6067d4698f8d40a0a794ea7d7379d53a--\r\n\r\n',
	'latin1',
);

/** What the parser made of a body fed in the given chunks. */
export interface Parsed {
	readonly events: MultipartEvent[];
	readonly media: Buffer;
	readonly error: unknown;
}

/** Feeds `chunks` to a fresh parser and collects the events, the media bytes, and the error if any. */
export function parseChunks(chunks: readonly Buffer[], boundary = BOUNDARY): Parsed {
	const events: MultipartEvent[] = [];
	const media: Buffer[] = [];
	let error: unknown;
	try {
		const parser = new MultipartMixedParser(boundary, (event) => {
			if (event.kind === 'data') {
				media.push(Buffer.from(event.chunk));
			} else {
				events.push(event);
			}
		});
		for (const chunk of chunks) {
			parser.write(chunk);
		}
		parser.end();
	} catch (caught) {
		error = caught;
	}
	return { events, media: Buffer.concat(media), error };
}

/** Splits `body` at the given offsets. */
export function splitAt(body: Buffer, offsets: readonly number[]): Buffer[] {
	const cuts = [0, ...[...offsets].sort((a, b) => a - b), body.length];
	return cuts.slice(1).map((end, index) => body.subarray(cuts[index], end));
}
