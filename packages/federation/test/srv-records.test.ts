import test from 'ava';
import { sortSrvRecords } from '../src/index.js';

const record = (name: string, priority: number, weight: number) => ({ name, port: 8448, priority, weight });

/** A random source that replays the given values. */
const replay = (...values: number[]) => {
	let i = 0;
	return () => values[i++ % values.length] ?? 0;
};

test('lower priority values come first, whatever the weights', (t) => {
	const sorted = sortSrvRecords([record('c', 30, 100), record('a', 10, 0), record('b', 20, 50)], Math.random);
	t.deepEqual(
		sorted.map((r) => r.name),
		['a', 'b', 'c'],
	);
});

test('within a priority the draw picks by running weight (RFC 2782)', (t) => {
	const records = [record('w10', 1, 10), record('w30', 1, 30), record('w60', 1, 60)];
	// 1 + floor(r * 100): 0.05 -> 6 (w10), 0.2 -> 21 (w30), 0.5 -> 51 (w60).
	t.is(sortSrvRecords(records, replay(0.05))[0]?.name, 'w10');
	t.is(sortSrvRecords(records, replay(0.2))[0]?.name, 'w30');
	t.is(sortSrvRecords(records, replay(0.5))[0]?.name, 'w60');
	// The boundary: draw 10 still picks w10, draw 11 picks w30.
	t.is(sortSrvRecords(records, replay(0.09))[0]?.name, 'w10');
	t.is(sortSrvRecords(records, replay(0.1))[0]?.name, 'w30');
});

test('each record appears exactly once and zero-weight records come after weighted ones', (t) => {
	const records = [record('z1', 5, 0), record('w', 5, 1), record('z2', 5, 0), record('top', 0, 0)];
	for (let i = 0; i < 50; i++) {
		const sorted = sortSrvRecords(records, Math.random).map((r) => r.name);
		t.is(sorted[0], 'top');
		t.is(sorted[1], 'w');
		t.deepEqual([...sorted].sort(), ['top', 'w', 'z1', 'z2']);
	}
});

test('the input array is not modified', (t) => {
	const records = [record('b', 2, 1), record('a', 1, 1)];
	sortSrvRecords(records, Math.random);
	t.deepEqual(
		records.map((r) => r.name),
		['b', 'a'],
	);
});
