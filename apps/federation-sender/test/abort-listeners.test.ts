import { getEventListeners } from 'node:events';
import test, { type ExecutionContext } from 'ava';
import { AbortFanout } from '../src/worker/abort-fanout.js';
import { deferred, OK } from './helpers/fake-remote.js';
import { pdus } from './helpers/items.js';
import { settle } from './helpers/manual-clock.js';
import { harness } from './helpers/worker.js';

const DESTINATIONS = 50;

/** Collects MaxListenersExceededWarning emitted while the test runs. */
function watchWarnings(t: ExecutionContext): Error[] {
	const seen: Error[] = [];
	const listener = (warning: Error): void => {
		if (warning.name === 'MaxListenersExceededWarning') seen.push(warning);
	};
	process.on('warning', listener);
	t.teardown(() => process.off('warning', listener));
	return seen;
}

test.serial('50 concurrent sends on one worker emit no MaxListenersExceededWarning', async (t) => {
	const warnings = watchWarnings(t);
	const { worker, remote } = harness(t, { concurrency: DESTINATIONS + 10 });
	const gate = deferred<void>();
	t.teardown(() => gate.resolve()); // runs before the harness's stop(), even when an assertion fails
	remote.handler = async (call) => {
		// Like the HTTP client: one abort listener per request on the signal it is given.
		call.signal.addEventListener('abort', () => undefined, { once: true });
		await gate.promise;
		return OK;
	};
	await worker.start();
	for (let i = 0; i < DESTINATIONS; i++) await worker.enqueue(`remote${i}.test`, pdus(0, 1));
	await settle();
	t.is(remote.maxTotalInFlight, DESTINATIONS, 'all sends are in flight at once');
	t.is(
		new Set(remote.calls.map((call) => call.signal)).size,
		DESTINATIONS,
		'each request has its own signal',
	);
	gate.resolve();
	await settle();
	await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
	t.deepEqual(warnings, []);
});

test.serial('50 requests hanging at the end of the grace period are all aborted', async (t) => {
	const warnings = watchWarnings(t);
	const { worker, remote, clock } = harness(t, { concurrency: DESTINATIONS + 10, shutdownGraceMs: 1000 });
	let aborted = 0;
	remote.handler = (call) =>
		new Promise((_, reject) => {
			call.signal.addEventListener('abort', () => (aborted++, reject(new Error('aborted'))), { once: true });
		});
	await worker.start();
	for (let i = 0; i < DESTINATIONS; i++) await worker.enqueue(`remote${i}.test`, pdus(0, 1));
	await settle();
	t.is(remote.maxTotalInFlight, DESTINATIONS);
	const stopping = worker.stop();
	await settle();
	await clock.advance(1000);
	await stopping;
	t.is(aborted, DESTINATIONS);
	await new Promise((resolve) => setImmediate(resolve));
	t.deepEqual(warnings, []);
});

test('a fan-out keeps one listener on the shared signal and releases each child when its operation settles', async (t) => {
	const parent = new AbortController();
	const fanout = new AbortFanout(parent.signal);
	const gate = deferred<void>();
	const children: AbortSignal[] = [];
	const running = Array.from({ length: DESTINATIONS }, () =>
		fanout.run(async (signal) => {
			children.push(signal);
			await gate.promise;
		}),
	);
	t.is(fanout.active, DESTINATIONS);
	t.is(getEventListeners(parent.signal, 'abort').length, 1);
	gate.resolve();
	await Promise.all(running);
	t.is(fanout.active, 0, 'settled operations are released');
	await t.throwsAsync(
		fanout.run(() => Promise.reject(new Error('boom'))),
		{ message: 'boom' },
	);
	t.is(fanout.active, 0, 'a failed operation is released too');
	parent.abort(new Error('stop'));
	t.false(
		children.some((signal) => signal.aborted),
		'released children are not aborted later',
	);
});

test('an abort of the shared signal aborts the children in flight with its reason, and later runs start aborted', async (t) => {
	const parent = new AbortController();
	const fanout = new AbortFanout(parent.signal);
	const reason = new Error('shutdown');
	const inFlight = fanout.run(
		(signal) =>
			new Promise<unknown>((resolve) => signal.addEventListener('abort', () => resolve(signal.reason))),
	);
	parent.abort(reason);
	t.is(await inFlight, reason);
	t.is(fanout.active, 0);
	t.is(await fanout.run((signal) => Promise.resolve(signal.aborted && signal.reason)), reason);
});
