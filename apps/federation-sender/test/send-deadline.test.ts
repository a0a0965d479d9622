// The attempt deadline of a send starts before the destination is resolved, and resolutions that fetch a
// `.well-known` wait for their own permits, never for the sends' (transport/send-transaction.ts, permit-gate.ts).
import type { FederationClient, FederationRequestOptions, ResolveOptions } from '@homeserver/federation';
import test from 'ava';
import { PermitGate } from '../src/transport/permit-gate.js';
import { sendTransactionVia } from '../src/transport/send-transaction.js';

type Client = Pick<FederationClient, 'request' | 'resolver' | 'assertAllowed'>;

/** A resolver where names starting with `slow` never resolve (until their signal aborts), others at once. */
function fakeClient() {
	const requests: Array<{ destination: string; options: FederationRequestOptions }> = [];
	const resolving = new Set<string>();
	const cached = new Set<string>();
	const client: Client = {
		assertAllowed: () => undefined,
		request: (destination, options) => {
			requests.push({ destination, options });
			return Promise.resolve({ status: 200, headers: {}, body: { pdus: {} } });
		},
		resolver: {
			needsWellKnown: (name) => !cached.has(name),
			clearCache: () => undefined,
			resolve: (name: string, options?: ResolveOptions) => {
				resolving.add(name);
				if (!name.startsWith('slow')) {
					cached.add(name);
					resolving.delete(name);
					return Promise.resolve([]);
				}
				return new Promise((_resolve, reject) => {
					options?.signal?.addEventListener('abort', () => {
						resolving.delete(name);
						reject(options.signal?.reason as Error);
					});
				});
			},
		},
	};
	return { client, requests, resolving, cached };
}

const BODY = JSON.stringify({ origin: 'origin.test', pdus: [], edus: [] });
const never = new AbortController().signal;
const until = async (condition: () => boolean): Promise<void> => {
	while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

test('a resolution that never ends is cut by the attempt deadline (ERR_TIMEOUT, stage resolution); nothing is sent', async (t) => {
	const { client, requests, resolving } = fakeClient();
	const send = sendTransactionVia(client, {
		timeoutMs: 150,
		maxResponseBytes: 1024,
		resolutions: new PermitGate(4),
	});
	const error = await t.throwsAsync(send('slow.example', 't1', BODY, { signal: never }));
	t.like(error, { code: 'ERR_TIMEOUT', phase: 'deadline', stage: 'resolution', timeoutMs: 150 });
	t.deepEqual(requests, []);
	t.is(resolving.size, 0, 'the resolution was told to stop');
});

test('the request gets what is left of the attempt deadline, not a fresh one', async (t) => {
	const { client, requests } = fakeClient();
	const send = sendTransactionVia(client, {
		timeoutMs: 60_000,
		maxResponseBytes: 1024,
		resolutions: new PermitGate(1),
	});
	t.like(await send('good.example', 't1', BODY, { signal: never }), { status: 200 });
	const timeout = requests[0]?.options.timeout ?? Infinity;
	t.true(timeout <= 60_000 && timeout > 0, String(timeout));
});

test('slow resolutions hold only resolution permits: a destination with a cached answer is sent meanwhile, and an uncached one waits its turn', async (t) => {
	const { client, requests, resolving, cached } = fakeClient();
	const resolutions = new PermitGate(2);
	const send = sendTransactionVia(client, { timeoutMs: 60_000, maxResponseBytes: 1024, resolutions });
	const stop = new AbortController();
	const slow = ['slow1.example', 'slow2.example', 'slow3.example'].map((name) =>
		send(name, 't', BODY, { signal: stop.signal }).catch((error: unknown) => error),
	);
	await until(() => resolving.size === 2);
	t.is(resolutions.waiting, 1);
	cached.add('known.example');
	t.like(await send('known.example', 't', BODY, { signal: never }), { status: 200 });
	t.deepEqual(
		requests.map((r) => r.destination),
		['known.example'],
	);
	const fresh = send('fresh.example', 't', BODY, { signal: never });
	await until(() => resolutions.waiting === 2);
	stop.abort(new Error('shutdown'));
	t.like(await fresh, { status: 200 });
	for (const outcome of await Promise.all(slow)) t.regex(String(outcome), /shutdown/);
	t.is(resolutions.active, 0);
	t.is(resolutions.waiting, 0);
	t.is(resolutions.peak, 2);
});

test('a permit gate grants in arrival order, and a waiter whose signal aborts leaves the queue without a permit', async (t) => {
	const gate = new PermitGate(1);
	const order: string[] = [];
	let release: () => void = () => undefined;
	const first = gate.run(never, () =>
		new Promise<void>((resolve) => (release = resolve)).then(() => order.push('a')),
	);
	const giveUp = new AbortController();
	const second = gate.run(giveUp.signal, () => Promise.resolve(order.push('never')));
	const third = gate.run(never, () => Promise.resolve(order.push('c')));
	t.is(gate.waiting, 2);
	giveUp.abort(new Error('deadline'));
	await t.throwsAsync(second, { message: 'deadline' });
	t.is(gate.waiting, 1);
	release();
	await Promise.all([first, third]);
	t.deepEqual(order, ['a', 'c']);
	t.is(gate.active, 0);
	t.throws(() => new PermitGate(0), { instanceOf: RangeError });
});
