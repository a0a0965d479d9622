import { OutboundHttpError, isOutboundHttpError } from '@homeserver/outbound-http';
import type { OutboundHttp } from '@homeserver/outbound-http';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { startFaultProxy } from './helpers/fault-proxy.js';
import type { FaultProxy } from './helpers/fault-proxy.js';
import { startFaultyDestination } from './helpers/faulty-destination.js';
import type { FaultyDestination } from './helpers/faulty-destination.js';
import { LeakAudit } from './helpers/secrets.js';
import {
	ALLOW_TEST_SERVERS,
	SUITE_TIMEOUTS,
	configFrom,
	mapLookup,
	outboundFor,
	proxyYaml,
	testPki,
} from './helpers/stack.js';
import { registerSuiteChecks } from './helpers/suite-hooks.js';
import { within } from './helpers/within.js';

const audit = new LeakAudit();
registerSuiteChecks(test, audit);

/** The stacks keep the suite's generous limits; the drip tests set short ones per request. */
const TIMEOUTS = SUITE_TIMEOUTS;
/** Idle limit far below the drip interval: the socket timer must end the body. */
const IDLE = { timeout: { socket: 400 } };
/** Overall limit far below the idle one: a body dripping fast, forever, must end at the deadline. */
const DEADLINE = { timeout: { socket: 10_000, request: 2000 } };

let plain: FaultyDestination;
let secure: FaultyDestination;
let proxy: FaultProxy;
let direct: OutboundHttp;
let tunnelled: OutboundHttp;

test.before(async () => {
	const { destination } = await testPki();
	plain = await startFaultyDestination();
	secure = await startFaultyDestination(destination);
	proxy = await startFaultProxy();
	proxy.map(`test.com:${secure.port}`, secure.port);
	const lookup = mapLookup({ 'test.com': ['127.0.0.1'] });
	direct = await outboundFor(configFrom(ALLOW_TEST_SERVERS), audit, lookup, {
		timeouts: TIMEOUTS,
		trustTestCa: false,
	});
	tunnelled = await outboundFor(configFrom(proxyYaml(proxy.url)), audit, lookup, { timeouts: TIMEOUTS });
});

test.after.always(async () => {
	direct?.close();
	tunnelled?.close();
	audit.addRequests('faulty destinations', [...(plain?.requests ?? []), ...(secure?.requests ?? [])]);
	await Promise.all([plain?.close(), secure?.close(), proxy?.close()]);
});

type Way = 'direct' | 'tunnel';
const url = (way: Way, path: string): string =>
	way === 'direct' ? `http://127.0.0.1:${plain.port}${path}` : `https://test.com:${secure.port}${path}`;
const stack = (way: Way): OutboundHttp => (way === 'direct' ? direct : tunnelled);

/** Runs a request that must fail; returns its error after checking it is one of ours. */
async function typedFailure(
	t: ExecutionContext,
	way: Way,
	path: string,
	stream = false,
	options: { timeout?: Record<string, number> } = {},
): Promise<OutboundHttpError> {
	const client = stack(way).client('push');
	const attempt = stream
		? new Promise<void>((resolve, reject) => {
				const body = client.stream(url(way, path), options);
				body.on('error', reject).on('end', resolve).resume();
			})
		: client.get(url(way, path), options).then(() => undefined);
	const error = await within(attempt, 10_000, `${way} ${path}`).then(
		() => new Error(`${way} ${path} succeeded`),
		(caught: unknown) => caught,
	);
	audit.addError(`${way} ${path}`, error);
	t.true(error instanceof OutboundHttpError, `${way} ${path}${stream ? ' (stream)' : ''}: ${String(error)}`);
	t.log(`${way} ${path}${stream ? ' (stream)' : ''}: ${(error as OutboundHttpError).code}`);
	return error as OutboundHttpError;
}

for (const way of ['direct', 'tunnel'] as const) {
	test(`${way}: a destination resetting the connection gives a typed error, promise and stream`, async (t) => {
		await typedFailure(t, way, '/reset');
		await typedFailure(t, way, '/reset', true);
	});

	test(`${way}: a reset in the middle of the body gives a typed error, never a short success`, async (t) => {
		await typedFailure(t, way, '/reset-mid-body');
		await typedFailure(t, way, '/reset-mid-body', true);
	});

	test(`${way}: a body dripping slower than the idle timeout ends with ERR_TIMEOUT (socket)`, async (t) => {
		for (const stream of [false, true]) {
			const error = await typedFailure(t, way, '/drip?ms=1500', stream, IDLE);
			t.is(error.code, 'ERR_TIMEOUT');
			t.is((error as { phase?: string }).phase, 'socket');
		}
	});

	test(`${way}: a body dripping forever, faster than the idle timeout, ends at the overall deadline`, async (t) => {
		const error = await typedFailure(t, way, '/drip?ms=50', false, DEADLINE);
		t.is(error.code, 'ERR_TIMEOUT');
		t.is((error as { phase?: string }).phase, 'request');
	});

	test(`${way}: a body shorter than its Content-Length is an error, not a truncated success`, async (t) => {
		await typedFailure(t, way, '/short');
		await typedFailure(t, way, '/short', true);
	});

	test(`${way}: bytes beyond Content-Length are not taken as the next response (no smuggling)`, async (t) => {
		const client = stack(way).client('push');
		const first = await client.get(url(way, '/long'), { responseType: 'buffer' });
		t.is(first.rawBody.toString(), 'z'.repeat(10));
		for (let i = 0; i < 3; i++) {
			const next = await within(client.get(url(way, '/ok')).text(), 10_000, 'follow-up');
			t.is(next, 'ok', 'a follow-up request got the smuggled answer');
		}
	});

	test(`${way}: announced and streamed bodies over the cap fail with ERR_RESPONSE_TOO_LARGE`, async (t) => {
		const client = stack(way).client('push');
		for (const stream of [false, true]) {
			const target = url(way, '/big?bytes=4000000');
			const attempt = stream
				? new Promise<void>((resolve, reject) => {
						client
							.stream(target, { context: { maxBytes: 100_000 } })
							.on('error', reject)
							.on('end', resolve)
							.resume();
					})
				: client.get(target, { context: { maxBytes: 100_000 } }).then(() => undefined);
			const error = await within(attempt, 10_000, 'capped body').catch((caught: unknown) => caught);
			audit.addError(target, error);
			t.true(isOutboundHttpError(error, 'ERR_RESPONSE_TOO_LARGE'), String(error));
		}
	});
}
