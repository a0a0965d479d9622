/**
 * Generators of federation media answers (`multipart/mixed`, framed by the testkit's independent Synapse-layout
 * writer), of chunkings of them, and of hostile variations, for the multipart fuzz tests.
 */
import { multipartFrame } from '@homeserver/testkit';
import fc from 'fast-check';

/** RFC 2046 `bchars`. */
const BCHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ".split('');
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A valid answer and what a correct parser must report for it. */
export interface ValidAnswer {
	readonly contentType: string;
	readonly body: Buffer;
	readonly boundary: string;
	/** The media bytes (inline form) or undefined (Location form). */
	readonly media: Buffer | undefined;
	readonly location: string | undefined;
	readonly partContentType: string | undefined;
}

const boundary = fc
	.string({ unit: fc.constantFrom(...BCHARS), minLength: 1, maxLength: 70 })
	.filter((text) => !text.endsWith(' '));

/** Media bytes that love to look like delimiters: random bytes with near misses of `CRLF--boundary` spliced in. */
function mediaFor(b: string): fc.Arbitrary<Buffer> {
	const nearMiss = fc.constantFrom(
		`\r\n--${b.slice(0, -1)}`,
		`--${b}`,
		`--${b}--`,
		'\r\n-',
		'\r\n--',
		`\n--${b}`,
		`\r--${b}`,
		`\r\n-- ${b}`,
	);
	return (
		fc
			.tuple(fc.uint8Array({ maxLength: 2048 }), fc.array(fc.tuple(fc.nat(), nearMiss), { maxLength: 4 }))
			.map(([bytes, inserts]) => {
				let media = Buffer.from(bytes);
				for (const [at, text] of inserts) {
					const cut = at % (media.length + 1);
					media = Buffer.concat([media.subarray(0, cut), Buffer.from(text, 'latin1'), media.subarray(cut)]);
				}
				return media;
			})
			// The CRLF ending the part headers counts too: content starting with `--boundary` is a delimiter line.
			.filter((media) => !Buffer.concat([Buffer.from('\r\n'), media]).includes(`\r\n--${b}`, 0, 'latin1'))
	);
}

/** Valid answers in both forms, with Synapse's layout and the variations real servers send. */
export const validAnswer: fc.Arbitrary<ValidAnswer> = boundary.chain((b) =>
	fc
		.record({
			media: fc.option(mediaFor(b), { nil: undefined }),
			location: fc.webUrl({ withQueryParameters: true }),
			partType: fc.constantFrom('image/png', 'text/plain; charset=utf-8', 'application/octet-stream'),
			disposition: fc.option(
				fc.constantFrom('inline; filename="a.png"', "attachment; filename*=utf-8''%C3%A9.txt"),
				{
					nil: undefined,
				},
			),
			quote: fc.boolean(),
			omitClosing: fc.boolean(),
			preamble: fc.constantFrom('', 'preamble text', 'junk\r\nmore junk'),
			epilogue: fc.constantFrom('', '\r\nepilogue', 'trailing garbage'),
		})
		.map((r) => {
			const inline = r.media !== undefined;
			const headers = inline
				? [
						`Content-Type: ${r.partType}`,
						...(r.disposition === undefined ? [] : [`Content-Disposition: ${r.disposition}`]),
					]
				: [`Location: ${r.location}`];
			const frame = multipartFrame({
				boundary: b,
				partHeaders: headers,
				quoteBoundary: r.quote || !TOKEN.test(b),
				omitClosingDelimiter: r.omitClosing,
			});
			const epilogue = r.omitClosing ? '' : r.epilogue;
			const body = Buffer.concat([
				Buffer.from(r.preamble),
				frame.head,
				r.media ?? Buffer.alloc(0),
				frame.tail,
				Buffer.from(epilogue),
			]);
			return {
				contentType: frame.contentType,
				body,
				boundary: b,
				media: r.media,
				location: inline ? undefined : r.location,
				partContentType: inline ? r.partType : undefined,
			};
		}),
);

/** Cuts `body` into chunks at the given (wrapped) offsets; empty chunks included, as streams may deliver them. */
export function chunk(body: Buffer, cuts: readonly number[]): Buffer[] {
	const points = [...new Set(cuts.map((cut) => cut % (body.length + 1)))].sort((a, b) => a - b);
	const chunks: Buffer[] = [];
	let last = 0;
	for (const point of points) {
		chunks.push(body.subarray(last, point));
		last = point;
	}
	chunks.push(body.subarray(last));
	return chunks;
}

/** Hostile variations of a valid answer: byte flips, insertions, deletions, truncation, or pure noise. */
export const hostileAnswer: fc.Arbitrary<{ contentType: string; body: Buffer }> = fc.oneof(
	fc
		.tuple(
			validAnswer,
			fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(2)), {
				minLength: 1,
				maxLength: 8,
			}),
		)
		.map(([answer, edits]) => {
			let body = Buffer.from(answer.body);
			for (const [at, byte, kind] of edits) {
				const i = at % (body.length + 1);
				if (kind === 0 && i < body.length) body[i] = byte;
				else if (kind === 1)
					body = Buffer.concat([body.subarray(0, i), Buffer.from([byte]), body.subarray(i)]);
				else body = Buffer.concat([body.subarray(0, i), body.subarray(i + 1)]);
			}
			return { contentType: answer.contentType, body };
		}),
	fc.tuple(validAnswer, fc.nat()).map(([answer, at]) => ({
		contentType: answer.contentType,
		body: answer.body.subarray(0, at % (answer.body.length + 1)),
	})),
	fc
		.tuple(boundary, fc.uint8Array({ maxLength: 4096 }))
		.map(([b, bytes]) => ({ contentType: `multipart/mixed; boundary="${b}"`, body: Buffer.from(bytes) })),
	fc
		.tuple(fc.string({ maxLength: 80 }), fc.uint8Array({ maxLength: 512 }))
		.map(([type, bytes]) => ({ contentType: type, body: Buffer.from(bytes) })),
);
