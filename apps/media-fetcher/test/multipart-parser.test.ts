import test from 'ava';
import fc from 'fast-check';
import { isMediaFetcherError } from '../src/index.js';
import {
	BOUNDARY,
	parseChunks,
	splitAt,
	synapseInline,
	SYNAPSE_LOCATION_VECTOR,
} from './helpers/multipart.js';

const MEDIA = Buffer.from('Hello world!'.repeat(30));

test('Synapse’s Location vector yields the Location and the JSON metadata', (t) => {
	const { events, media, error } = parseChunks([SYNAPSE_LOCATION_VECTOR]);
	t.is(error, undefined);
	t.is(media.length, 0);
	t.deepEqual(
		events.map((event) => event.kind),
		['metadata', 'location'],
	);
	const location = events[1];
	t.is(location?.kind === 'location' ? location.location : undefined, 'http://testserv:8008/ab/c1/2345.txt');
	t.deepEqual(events[0]?.kind === 'metadata' ? events[0].metadata : undefined, {});
});

test('Synapse’s inline layout yields the exact media bytes and keeps type and disposition', (t) => {
	const { events, media, error } = parseChunks([
		synapseInline(MEDIA, 'image/png', 'inline; filename="cat.png"'),
	]);
	t.is(error, undefined);
	t.true(media.equals(MEDIA));
	const head = events.find((event) => event.kind === 'media');
	t.is(head?.kind === 'media' ? head.headers.get('content-type') : undefined, 'image/png');
	t.is(
		head?.kind === 'media' ? head.headers.get('content-disposition') : undefined,
		'inline; filename="cat.png"',
	);
	t.deepEqual(events.at(-1), { kind: 'end', closed: true });
});

test('a delimiter split at every byte position gives the same media and Location', (t) => {
	const inline = synapseInline(MEDIA);
	for (let offset = 1; offset < inline.length; offset++) {
		const { media, error } = parseChunks(splitAt(inline, [offset]));
		if (error !== undefined || !media.equals(MEDIA)) {
			t.fail(`split at ${offset} broke the inline answer: ${String(error)}`);
			return;
		}
	}
	for (let offset = 1; offset < SYNAPSE_LOCATION_VECTOR.length; offset++) {
		const { events, error } = parseChunks(splitAt(SYNAPSE_LOCATION_VECTOR, [offset]));
		if (error !== undefined || !events.some((event) => event.kind === 'location')) {
			t.fail(`split at ${offset} broke the Location answer: ${String(error)}`);
			return;
		}
	}
	const bytes = [...synapseInline(MEDIA)].map((byte) => Buffer.from([byte]));
	t.true(parseChunks(bytes).media.equals(MEDIA), 'one byte per chunk');
});

test('no leading CRLF and transport padding after delimiters are accepted', (t) => {
	const body = Buffer.from(
		`--${BOUNDARY}  \r\nContent-Type: application/json; charset=utf-8\r\n\r\n{"a":1}\r\n--${BOUNDARY}\t\r\n` +
			`content-type: text/plain\r\n\r\nabc\r\n--${BOUNDARY}--`,
	);
	const { events, media, error } = parseChunks([body]);
	t.is(error, undefined);
	t.is(media.toString(), 'abc');
	t.deepEqual(events[0], { kind: 'metadata', metadata: { a: 1 } });
});

test('a missing closing delimiter is tolerated, with or without the final delimiter', (t) => {
	const open = Buffer.from(
		`\r\n--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{}\r\n--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nabc`,
	);
	const withoutDelimiter = parseChunks([open]);
	t.is(withoutDelimiter.error, undefined);
	t.is(withoutDelimiter.media.toString(), 'abc');
	t.deepEqual(withoutDelimiter.events.at(-1), { kind: 'end', closed: false });

	const withoutDashes = parseChunks([Buffer.concat([open, Buffer.from(`\r\n--${BOUNDARY}`)])]);
	t.is(withoutDashes.error, undefined);
	t.is(withoutDashes.media.toString(), 'abc');
	t.deepEqual(withoutDashes.events.at(-1), { kind: 'end', closed: true });

	const locationOpen = Buffer.from(
		`--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{}\r\n--${BOUNDARY}\r\nLocation: https://cdn.example/x\r\n`,
	);
	const location = parseChunks([locationOpen]);
	t.is(location.error, undefined);
	t.is(location.events.at(-1)?.kind, 'location');
});

test('media that contains near-delimiters passes through unchanged, however it is chunked', (t) => {
	const near = [
		`\r\n--`,
		`\r\n--${BOUNDARY.slice(0, 20)}`,
		`\r\n-`,
		'\r',
		`--${BOUNDARY}`,
		`\n--${BOUNDARY}`,
	];
	const piece = fc.oneof(
		fc.constantFrom(...near).map((s) => Buffer.from(s)),
		fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
	);
	fc.assert(
		fc.property(fc.array(piece, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 8 }), (pieces, cuts) => {
			const media = Buffer.concat(pieces);
			// A real sender picks a boundary that its content does not contain.
			fc.pre(!Buffer.concat([Buffer.from('\r\n'), media]).includes(`\r\n--${BOUNDARY}`));
			const body = synapseInline(media);
			const parsed = parseChunks(
				splitAt(
					body,
					cuts.map((cut) => cut % (body.length + 1)),
				),
			);
			return parsed.error === undefined && parsed.media.equals(media);
		}),
		{ numRuns: 300 },
	);
	t.pass();
});

test('hostile bytes end in ERR_MULTIPART_INVALID or a result, never another error', (t) => {
	const prefix = Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{}\r\n--${BOUNDARY}`);
	fc.assert(
		fc.property(
			fc.boolean(),
			fc.uint8Array({ maxLength: 300 }),
			fc.array(fc.nat(), { maxLength: 5 }),
			(prefixed, bytes, cuts) => {
				const body = prefixed ? Buffer.concat([prefix, Buffer.from(bytes)]) : Buffer.from(bytes);
				const { error } = parseChunks(
					splitAt(
						body,
						cuts.map((cut) => cut % (body.length + 1)),
					),
				);
				return error === undefined || isMediaFetcherError(error, 'ERR_MULTIPART_INVALID');
			},
		),
		{ numRuns: 500 },
	);
	t.pass();
});

const json = `--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{}\r\n`;
const malformed: Array<[string, string]> = [
	['no delimiter at all', 'just some bytes'],
	[
		'the first part is not JSON',
		`--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\n{}\r\n--${BOUNDARY}\r\n\r\nx`,
	],
	['the first part has no Content-Type', `--${BOUNDARY}\r\n\r\n{}\r\n--${BOUNDARY}\r\n\r\nx`],
	[
		'the JSON part is not JSON',
		`--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{nope\r\n--${BOUNDARY}\r\n\r\nx`,
	],
	[
		'the JSON part is an array',
		`--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n[]\r\n--${BOUNDARY}\r\n\r\nx`,
	],
	['the answer closes after the JSON part', `${json}--${BOUNDARY}--\r\n`],
	['the answer ends inside the JSON part', `--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{}`],
	['the answer ends inside the media headers', `${json}--${BOUNDARY}\r\nContent-Type: text/pl`],
	['two Location headers', `${json}--${BOUNDARY}\r\nLocation: https://a/\r\nLocation: https://b/\r\n\r\n`],
	['a header line without a colon', `${json}--${BOUNDARY}\r\nContent-Type text/plain\r\n\r\nx`],
	['bytes after a delimiter', `${json}--${BOUNDARY}garbage\r\nContent-Type: text/plain\r\n\r\nx`],
	['a header folded before any header', `${json}--${BOUNDARY}\r\n folded\r\n\r\nx`],
	['an oversized header block', `${json}--${BOUNDARY}\r\nX-Pad: ${'a'.repeat(9000)}\r\n\r\nx`],
	[
		'an oversized JSON part',
		`--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n"${'a'.repeat(70_000)}"`,
	],
	['an oversized preamble', `${'p'.repeat(5000)}\r\n${json}`],
];
for (const [title, body] of malformed) {
	test(`malformed: ${title} is ERR_MULTIPART_INVALID`, (t) => {
		const { error } = parseChunks([Buffer.from(body, 'latin1')]);
		t.true(isMediaFetcherError(error, 'ERR_MULTIPART_INVALID'), String(error));
	});
}

test('media bytes are handed on as they arrive, before the answer ends', (t) => {
	const body = synapseInline(Buffer.alloc(1_000_000, 7));
	const half = body.subarray(0, 500_000);
	const { media, error } = parseChunks([half]);
	// Ending here is a tolerated missing delimiter; what matters is that the bytes came out as they went in.
	t.is(error, undefined);
	t.true(media.length > 400_000);
});
