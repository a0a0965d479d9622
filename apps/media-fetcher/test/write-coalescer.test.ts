import { randomBytes } from 'node:crypto';
import test from 'ava';
import { MediaFetcherError } from '../src/errors.js';
import { WriteCoalescer } from '../src/store/write-coalescer.js';

/** A sink recording a copy of every write (the coalescer reuses its window after each one). */
function recordingSink(): { writes: Buffer[]; sink: (bytes: Buffer) => Promise<void> } {
	const writes: Buffer[] = [];
	return {
		writes,
		sink: async (bytes) => {
			writes.push(Buffer.from(bytes));
			await new Promise((resolve) => setImmediate(resolve));
		},
	};
}

test('many tiny chunks become full-window writes with the same bytes in order', async (t) => {
	const { writes, sink } = recordingSink();
	const coalescer = new WriteCoalescer(sink, 64 * 1024);
	const body = randomBytes(256 * 1024 + 100);
	for (let offset = 0; offset < body.length; offset += 7)
		await coalescer.push(body.subarray(offset, offset + 7));
	await coalescer.flush();
	t.deepEqual(
		writes.map((write) => write.length),
		[65536, 65536, 65536, 65536, 100],
	);
	t.true(Buffer.concat(writes).equals(body));
});

test('a chunk as large as the window is written as it is, after the bytes gathered before it', async (t) => {
	const { writes, sink } = recordingSink();
	const coalescer = new WriteCoalescer(sink, 1000);
	const small = Buffer.alloc(10, 1);
	const large = Buffer.alloc(2500, 2);
	await coalescer.push(small);
	await coalescer.push(large);
	await coalescer.push(small);
	await coalescer.flush();
	t.deepEqual(
		writes.map((write) => write.length),
		[10, 2500, 10],
	);
	t.true(Buffer.concat(writes).equals(Buffer.concat([small, large, small])));
});

test('nothing is written before a window fills, and flush with nothing gathered writes nothing', async (t) => {
	const { writes, sink } = recordingSink();
	const coalescer = new WriteCoalescer(sink, 100);
	await coalescer.flush();
	await coalescer.push(Buffer.alloc(99));
	t.is(writes.length, 0);
	await coalescer.push(Buffer.alloc(2));
	t.deepEqual(
		writes.map((write) => write.length),
		[100],
	);
});

test('push goes on while one window is written, and waits when the other one fills too', async (t) => {
	const releases: (() => void)[] = [];
	let held = true;
	const coalescer = new WriteCoalescer(
		() =>
			held
				? new Promise<void>((resolve) => {
						releases.push(resolve);
					})
				: Promise.resolve(),
		10,
	);
	await coalescer.push(Buffer.alloc(6));
	await coalescer.push(Buffer.alloc(6));
	t.is(releases.length, 1, 'the first full window is being written while the caller goes on');
	let pushed = false;
	const push = coalescer.push(Buffer.alloc(8)).then(() => (pushed = true));
	await new Promise((resolve) => setImmediate(resolve));
	t.false(pushed, 'the caller is held while both windows are busy');
	t.is(releases.length, 1, 'at most one write in flight');
	releases[0]!();
	await push;
	t.true(pushed);
	t.is(releases.length, 2);
	held = false;
	releases[1]!();
	await coalescer.flush();
});

test('a failed write fails the next push or flush', async (t) => {
	const coalescer = new WriteCoalescer(() => Promise.reject(new Error('disk full')), 10);
	await coalescer.push(Buffer.alloc(6));
	await coalescer.push(Buffer.alloc(6));
	await t.throwsAsync(coalescer.flush(), { message: 'disk full' });
});

test('a window size below one byte is refused', (t) => {
	const error = t.throws(() => new WriteCoalescer(() => Promise.resolve(), 0), {
		instanceOf: MediaFetcherError,
	});
	t.is(error?.code, 'ERR_MEDIA_INVALID_OPTION');
});
