import test from 'ava';
import { EarlyWriteback } from '../src/store/early-writeback.js';

/** A file whose `datasync` calls are counted and finish when the test says so. */
function fakeFile(): { calls: number; finish: () => void; file: { datasync: () => Promise<void> } } {
	const state = {
		calls: 0,
		finish: (): void => undefined,
		file: {
			datasync: () =>
				new Promise<void>((resolve) => {
					state.calls++;
					state.finish = resolve;
				}),
		},
	};
	return state;
}

test('a background flush starts once a stretch is written, and never two at a time', async (t) => {
	const fake = fakeFile();
	const writeback = new EarlyWriteback(fake.file, 100);
	writeback.written(60);
	t.is(fake.calls, 0, 'no flush before a full stretch');
	writeback.written(40);
	t.is(fake.calls, 1);
	writeback.written(500);
	t.is(fake.calls, 1, 'no second flush while one runs');
	fake.finish();
	await writeback.settle();
	writeback.written(100);
	t.is(fake.calls, 2, 'the next stretch starts the next flush');
	let settled = false;
	const settling = writeback.settle().then(() => (settled = true));
	await new Promise((resolve) => setImmediate(resolve));
	t.false(settled, 'settle waits for the running flush');
	fake.finish();
	await settling;
	t.true(settled);
});

test('a failed background flush is left to the final fsync to report', async (t) => {
	const writeback = new EarlyWriteback({ datasync: () => Promise.reject(new Error('EIO')) }, 10);
	writeback.written(10);
	await t.notThrowsAsync(writeback.settle());
});
