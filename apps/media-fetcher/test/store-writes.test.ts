// Alone in its file (AVA runs each file in its own process): it wraps FileHandle.prototype.write to count the
// writes the store makes.
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { mediaRef } from '../src/index.js';
import { DEFAULT_WRITE_WINDOW } from '../src/store/write-coalescer.js';
import { tempStore } from './helpers/store.js';

test('a body arriving in many tiny chunks is written with few large writes, its bytes and sha256 intact', async (t) => {
	const { root, store } = await tempStore(t);
	const probe = await open(join(root, 'probe'), 'w');
	const prototype = Object.getPrototypeOf(probe) as { write: (...args: unknown[]) => Promise<unknown> };
	await probe.close();
	const original = prototype.write;
	const writes: number[] = [];
	prototype.write = function (this: unknown, ...args: unknown[]) {
		const [buffer, offset = 0, length] = args as [Uint8Array, number?, number?];
		writes.push(length ?? buffer.length - offset);
		return original.apply(this, args);
	};
	t.teardown(() => {
		prototype.write = original;
	});
	const window = DEFAULT_WRITE_WINDOW;
	const size = 3 * window + 123;
	const expected = Buffer.alloc(size);
	for (let i = 0; i < size; i++) expected[i] = (i * 31) & 0xff;
	function* tiny(): Generator<Buffer> {
		for (let offset = 0; offset < size; offset += 512) yield expected.subarray(offset, offset + 512);
	}
	const saved = await store.save(
		mediaRef('remote.example', 'tiny'),
		{ contentType: 'x/y', fileName: null, body: tiny() },
		{ maxBytes: size },
	);
	t.deepEqual(writes, [window, window, window, 123], `${Math.ceil(size / 512)} chunks, 4 writes`);
	t.is(saved.size, size);
	t.is(saved.sha256, createHash('sha256').update(expected).digest('hex'));
	t.true((await readFile(saved.path)).equals(expected));
});
