import { Readable } from 'node:stream';
import test from 'ava';
import { isMediaFetcherError, readMultipartAnswer } from '../src/index.js';
import {
	BOUNDARY,
	CONTENT_TYPE,
	splitAt,
	synapseInline,
	SYNAPSE_LOCATION_VECTOR,
} from './helpers/multipart.js';

/** A stream of `chunks` that records how many were pulled and whether it was released (destroyed). */
function trackedSource(chunks: readonly Buffer[]) {
	let pulled = 0;
	function* generate(): Generator<Buffer> {
		for (const chunk of chunks) {
			pulled++;
			yield chunk;
		}
	}
	const source = Readable.from(generate(), { objectMode: false, highWaterMark: 1 });
	return {
		source,
		state: {
			get pulled() {
				return pulled;
			},
			get released() {
				return source.destroyed;
			},
		},
	};
}

async function collect(stream: Readable): Promise<Buffer> {
	const parts: Buffer[] = [];
	for await (const chunk of stream) {
		parts.push(chunk as Buffer);
	}
	return Buffer.concat(parts);
}

test('the media part streams out with no more of the answer read ahead than its highWaterMark', async (t) => {
	const media = Buffer.alloc(64 * 1024 * 40, 1);
	const body = synapseInline(media);
	const cuts = Array.from({ length: 40 }, (_, index) => 200 + index * 64 * 1024);
	const { state, source } = trackedSource(splitAt(body, cuts));
	const answer = await readMultipartAnswer(source, CONTENT_TYPE, { highWaterMark: 128 * 1024 });
	t.is(answer.kind, 'inline');
	if (answer.kind !== 'inline') return;
	await new Promise((resolve) => setImmediate(resolve));
	// The head, two 64 KiB chunks to reach the mark, and the one the source reads ahead itself.
	t.true(state.pulled <= 4, `pulled ${state.pulled} chunks before the body was read`);
	t.is(answer.headers.get('content-type'), 'text/plain');
	t.true((await collect(answer.body)).equals(media));
	t.true(state.released);
});

test('a Location answer releases the source and returns the URL', async (t) => {
	const { state, source } = trackedSource(splitAt(SYNAPSE_LOCATION_VECTOR, [3, 50, 120]));
	const answer = await readMultipartAnswer(source, `multipart/mixed; boundary="${BOUNDARY}"`);
	t.deepEqual(
		answer.kind === 'location' ? answer.location : undefined,
		'http://testserv:8008/ab/c1/2345.txt',
	);
	t.true(state.released);
});

test('a quoted boundary among other parameters is found', async (t) => {
	const boundary = "a'b(c)+_,-./:=? z";
	const body = Buffer.from(
		`--${boundary}\r\nContent-Type: application/json\r\n\r\n{}\r\n--${boundary}\r\nContent-Type: text/plain\r\n\r\nok\r\n--${boundary}--`,
	);
	const answer = await readMultipartAnswer(
		Readable.from([body]),
		`Multipart/Mixed; charset=utf-8; boundary="${boundary}"; x=y`,
	);
	t.is(answer.kind === 'inline' ? (await collect(answer.body)).toString() : undefined, 'ok');
});

for (const [title, contentType] of [
	['no Content-Type', undefined],
	['another media type', `multipart/form-data; boundary=${BOUNDARY}`],
	['no boundary', 'multipart/mixed'],
	['a boundary longer than 70 characters', `multipart/mixed; boundary=${'b'.repeat(71)}`],
	['a malformed Content-Type', 'multipart/mixed; boundary="unterminated'],
] as const) {
	test(`an answer with ${title} is ERR_MULTIPART_INVALID and the source is released`, async (t) => {
		const { state, source } = trackedSource([synapseInline(Buffer.from('x'))]);
		const error = await t.throwsAsync(readMultipartAnswer(source, contentType));
		t.true(isMediaFetcherError(error, 'ERR_MULTIPART_INVALID'));
		t.true(state.released);
	});
}

test('a source error inside the media part reaches the body stream', async (t) => {
	function* failing(): Generator<Buffer> {
		yield synapseInline(Buffer.alloc(1000, 2)).subarray(0, 300);
		throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
	}
	const answer = await readMultipartAnswer(Readable.from(failing()), CONTENT_TYPE);
	if (answer.kind !== 'inline') return t.fail();
	const error = await t.throwsAsync(collect(answer.body));
	t.is((error as NodeJS.ErrnoException).code, 'ECONNRESET');
});

test('a source error before anyone reads the body is kept for its reader, mapped by mapError', async (t) => {
	function* failing(): Generator<Buffer> {
		yield synapseInline(Buffer.alloc(1000, 2)).subarray(0, 300);
		throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
	}
	const answer = await readMultipartAnswer(Readable.from(failing()), CONTENT_TYPE, {
		mapError: (error) => new Error('mapped', { cause: error }),
	});
	if (answer.kind !== 'inline') return t.fail();
	await new Promise((resolve) => setTimeout(resolve, 20));
	const error = await t.throwsAsync(collect(answer.body), { message: 'mapped' });
	t.is((error.cause as NodeJS.ErrnoException).code, 'ECONNRESET');
});

test('destroying the media body releases the source', async (t) => {
	const { state, source } = trackedSource(splitAt(synapseInline(Buffer.alloc(1 << 20, 3)), [200, 300_000]));
	const answer = await readMultipartAnswer(source, CONTENT_TYPE);
	if (answer.kind !== 'inline') return t.fail();
	answer.body.destroy();
	await new Promise((resolve) => setImmediate(resolve));
	t.true(state.released);
});
