import test from 'ava';
import fc from 'fast-check';
import { DelimiterSearch } from '../src/multipart/delimiter-search.js';
import { splitAt } from './helpers/multipart.js';

const NEEDLE = Buffer.from('\r\n--b0und');

/** What the search reports for `chunks`: the data between delimiters, one entry per delimiter plus the rest. */
function pieces(chunks: readonly Buffer[]): string[] {
	const found: Buffer[][] = [[]];
	const search = new DelimiterSearch(
		NEEDLE,
		(bytes) => found.at(-1)!.push(Buffer.from(bytes)),
		() => found.push([]),
	);
	for (const chunk of chunks) search.push(chunk);
	search.end();
	return found.map((part) => Buffer.concat(part).toString('latin1'));
}

test('delimiters are found and the bytes between them kept, however the input is chunked', (t) => {
	// Near-delimiters (prefixes, a CR before a delimiter, a delimiter at either end) stress the held bytes.
	const alphabet = fc.constantFrom(
		'\r',
		'\n',
		'-',
		'b',
		'0',
		'u',
		'n',
		'd',
		'x',
		'\r\n--b0un',
		'\r\n--b0und',
	);
	fc.assert(
		fc.property(
			fc.array(alphabet, { maxLength: 60 }).map((parts) => Buffer.from(parts.join(''), 'latin1')),
			fc.array(fc.nat(), { maxLength: 12 }),
			(input, cuts) => {
				const expected = input.toString('latin1').split(NEEDLE.toString('latin1'));
				const chunked = splitAt(
					input,
					cuts.map((cut) => (input.length === 0 ? 0 : cut % input.length)),
				);
				t.deepEqual(pieces(chunked), expected);
			},
		),
		{ numRuns: 2000 },
	);
});

test('a possible delimiter start at the end of the input is data', (t) => {
	t.deepEqual(pieces([Buffer.from('media\r\n--b0u')]), ['media\r\n--b0u']);
	t.deepEqual(pieces([Buffer.from('media\r'), Buffer.from('\n--b0und'), Buffer.from('rest')]), [
		'media',
		'rest',
	]);
});

test('data comes out as views of the chunks that carried it, not as copies', (t) => {
	const chunk = Buffer.from('0123456789\r\n--b0undabc');
	const seen: Buffer[] = [];
	const search = new DelimiterSearch(
		NEEDLE,
		(bytes) => seen.push(bytes),
		() => undefined,
	);
	search.push(chunk);
	t.is(seen[0]!.buffer, chunk.buffer);
	t.is(seen[1]!.buffer, chunk.buffer);
});

test('a delimiter that does not start with its only CR is refused', (t) => {
	t.throws(
		() =>
			new DelimiterSearch(
				Buffer.from('--b'),
				() => undefined,
				() => undefined,
			),
		{
			instanceOf: RangeError,
		},
	);
	t.throws(
		() =>
			new DelimiterSearch(
				Buffer.from('\r\n\r'),
				() => undefined,
				() => undefined,
			),
		{
			instanceOf: RangeError,
		},
	);
});
