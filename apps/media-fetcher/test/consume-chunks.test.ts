import { PassThrough, Readable } from 'node:stream';
import test from 'ava';
import { consumeChunks } from '../src/store/consume-chunks.js';

const chunks = (n: number): Buffer[] => Array.from({ length: n }, (_, index) => Buffer.from([index]));

test('a stream’s chunks reach the handler one by one and in order, never joined together', async (t) => {
	const seen: number[][] = [];
	await consumeChunks(Readable.from(chunks(50), { objectMode: false }), (chunk) => {
		seen.push([...chunk]);
		return undefined;
	});
	t.deepEqual(
		seen,
		chunks(50).map((chunk) => [...chunk]),
	);
});

test('the stream is paused while the handler waits, and the last wait finishes before the end', async (t) => {
	const source = new PassThrough();
	let release: (() => void) | undefined;
	let released = 0;
	const done = consumeChunks(source, (chunk) => {
		if (chunk[0] !== 1) return undefined;
		return new Promise<void>((resolve) => {
			release = () => {
				released++;
				resolve();
			};
		});
	});
	source.write(Buffer.from([0]));
	source.write(Buffer.from([1]));
	source.end(Buffer.from([2]));
	await new Promise((resolve) => setImmediate(resolve));
	t.true(source.isPaused());
	let finished = false;
	void done.then(() => (finished = true));
	await new Promise((resolve) => setImmediate(resolve));
	t.false(finished);
	release?.();
	await done;
	t.is(released, 1);
});

test('a failing handler rejects with its error and destroys the stream (the response is released)', async (t) => {
	const source = new PassThrough();
	const done = consumeChunks(source, () => {
		throw new Error('too large');
	});
	source.write(Buffer.from('x'));
	await t.throwsAsync(done, { message: 'too large' });
	t.true(source.destroyed);
});

test('a stream that fails or is cut off rejects', async (t) => {
	const failing = new PassThrough();
	const done = consumeChunks(failing, () => undefined);
	failing.destroy(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
	await t.throwsAsync(done, { code: 'ECONNRESET' });
	const cut = new PassThrough();
	const cutDone = consumeChunks(cut, () => undefined);
	cut.destroy();
	await t.throwsAsync(cutDone, { code: 'ERR_STREAM_PREMATURE_CLOSE' });
});

test('any other iterable is iterated, its waits awaited in turn', async (t) => {
	const order: string[] = [];
	await consumeChunks(chunks(3), (chunk) => {
		order.push(`take ${chunk[0]}`);
		return chunk[0] === 1 ? Promise.resolve().then(() => void order.push('waited')) : undefined;
	});
	t.deepEqual(order, ['take 0', 'take 1', 'waited', 'take 2']);
});
