import { Readable } from 'node:stream';
import {
	MediaFetcherError,
	MultipartMixedParser,
	boundaryFromContentType,
	readMultipartAnswer,
} from '@homeserver/media-fetcher';
import type { MultipartEvent } from '@homeserver/media-fetcher';
import test from 'ava';
import fc from 'fast-check';
import { RUNS } from './helpers/fuzz-runs.js';
import { chunk, hostileAnswer, validAnswer } from './helpers/multipart-bodies.js';
import { within } from './helpers/within.js';

/** Runs the push parser over chunks; returns its events, or the typed error it threw. */
function parse(
	contentType: string,
	chunks: readonly Buffer[],
): { events: MultipartEvent[]; error?: MediaFetcherError } {
	const events: MultipartEvent[] = [];
	try {
		const parser = new MultipartMixedParser(boundaryFromContentType(contentType), (event) =>
			events.push(event),
		);
		for (const piece of chunks) parser.write(piece);
		parser.end();
		return { events };
	} catch (error) {
		if (error instanceof MediaFetcherError && error.code === 'ERR_MULTIPART_INVALID')
			return { events, error };
		throw new Error(`untyped failure: ${String(error)}`, { cause: error });
	}
}

const media = (events: readonly MultipartEvent[]): Buffer =>
	Buffer.concat(events.flatMap((event) => (event.kind === 'data' ? [event.chunk] : [])));

const cuts = fc.array(fc.nat(), { maxLength: 40 });

test('any chunking of a valid answer yields the same parts: metadata, then the Location or the exact media', (t) => {
	fc.assert(
		fc.property(validAnswer, cuts, (answer, at) => {
			const { events, error } = parse(answer.contentType, chunk(answer.body, at));
			if (error !== undefined) throw error;
			if (events[0]?.kind !== 'metadata') return false;
			const second = events[1];
			if (answer.location !== undefined)
				return second?.kind === 'location' && second.location === answer.location;
			if (second?.kind !== 'media' || second.headers.get('content-type') !== answer.partContentType)
				return false;
			return media(events).equals(answer.media ?? Buffer.alloc(0)) && events.at(-1)?.kind === 'end';
		}),
		{ numRuns: RUNS.multipartValid },
	);
	t.pass();
});

test('hostile answers in any chunking end in a typed error or a bounded result, never a crash', (t) => {
	let refused = 0;
	fc.assert(
		fc.property(hostileAnswer, cuts, (answer, at) => {
			const { events, error } = parse(answer.contentType, chunk(answer.body, at));
			if (error !== undefined) refused += 1;
			return (
				media(events).length <= answer.body.length &&
				events.filter((event) => event.kind === 'end').length <= 1
			);
		}),
		{ numRuns: RUNS.multipartGarbage },
	);
	t.log(`${refused} of ${RUNS.multipartGarbage} hostile answers refused with ERR_MULTIPART_INVALID`);
	t.true(refused > 0);
});

async function readAll(stream: Readable): Promise<Buffer> {
	const parts: Buffer[] = [];
	for await (const piece of stream) parts.push(piece as Buffer);
	return Buffer.concat(parts);
}

test('the streaming reader settles on every answer, valid or hostile, with the media or a typed error', async (t) => {
	const either = fc.oneof(
		validAnswer.map((answer) => ({ ...answer, valid: true })),
		hostileAnswer.map((answer) => ({ ...answer, valid: false, media: undefined, location: undefined })),
	);
	await fc.assert(
		fc.asyncProperty(either, cuts, async (answer, at) => {
			const source = Readable.from(chunk(answer.body, at), { objectMode: false });
			const run = async (): Promise<boolean> => {
				const result = await readMultipartAnswer(source, answer.contentType);
				if (result.kind === 'location') return !answer.valid || result.location === answer.location;
				const bytes = await readAll(result.body);
				return !answer.valid || (answer.media !== undefined && bytes.equals(answer.media));
			};
			try {
				return await within(run(), 2000, 'readMultipartAnswer');
			} catch (error) {
				if (error instanceof MediaFetcherError && error.code === 'ERR_MULTIPART_INVALID' && !answer.valid)
					return true;
				throw error;
			}
		}),
		{ numRuns: RUNS.multipartStream },
	);
	t.pass();
});
