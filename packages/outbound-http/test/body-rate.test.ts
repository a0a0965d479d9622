import test from 'ava';
import type { RequestHandler } from '@homeserver/testkit';
import { DEFAULT_BODY_RATE, DEFAULT_TIMEOUTS, RequestTimeoutError } from '../src/index.js';
import { ALLOW_LOOPBACK, configFrom } from './helpers/setup.js';
import { client, destinations, forwardProxy, named } from './helpers/fixtures.js';

/** Sends headers, then one byte every 50 ms for ever (until the socket closes): the idle timer never fires. */
const drip: RequestHandler = (_request, response) => {
	response.writeHead(200, { 'content-type': 'text/plain' });
	const timer = setInterval(() => response.write('x'), 50);
	response.on('close', () => clearInterval(timer));
};

/**
 * Sends 64 KiB in 32 chunks, one every 20 ms (about 640 ms): several chunks in every 200 ms window, so a test
 * process the machine pauses for a moment still sees bytes in each window.
 */
const steady: RequestHandler = (_request, response) => {
	response.writeHead(200, { 'content-type': 'application/octet-stream' });
	let sent = 0;
	const timer = setInterval(() => {
		response.write(Buffer.alloc(2 * 1024, 1));
		if (++sent === 32) {
			clearInterval(timer);
			response.end();
		}
	}, 20);
	response.on('close', () => clearInterval(timer));
};

const rate = { minBytesPerSecond: 1000, windowMs: 300 };
const idle = { socket: 10_000, response: 10_000 };

test('a body trickling below the minimum rate ends with ERR_TIMEOUT (rate), direct, though the idle timer is happy', async (t) => {
	const { http } = await destinations(t, drip);
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK), { timeouts: idle, bodyRate: rate });
	const error = await t.throwsAsync(
		stack
			.client('push')
			.get(`${named(http)}/`)
			.text(),
	);
	t.true(error instanceof RequestTimeoutError);
	t.like(error, { code: 'ERR_TIMEOUT', phase: 'rate' });
	t.regex(error.message, /timed out \(rate\)/);
	t.regex(String((error.cause as Error).message), /less than 1000 bytes\/s/);
});

test('a trickling body is cut through a CONNECT tunnel and on the stream API too', async (t) => {
	const proxy = await forwardProxy(t);
	const { https } = await destinations(t, drip);
	const stack = await client(t, configFrom({ https_proxy: proxy.url }), { timeouts: idle, bodyRate: rate });
	const stream = stack.client('push').stream(`${named(https)}/`);
	const error = await t.throwsAsync(async () => {
		for await (const _chunk of stream) {
			// read until it fails
		}
	});
	t.like(error, { code: 'ERR_TIMEOUT', phase: 'rate' });
	t.true(stream.destroyed);
});

test('a body faster than the minimum rate is read whole, over several windows', async (t) => {
	const { http } = await destinations(t, steady);
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK), {
		timeouts: idle,
		bodyRate: { minBytesPerSecond: 1000, windowMs: 200 },
	});
	const body = await stack
		.client('push')
		.get(`${named(http)}/`)
		.buffer();
	t.is(body.length, 64 * 1024);
});

test('a request may turn the minimum rate off (context.bodyRate: false) and is then bounded by its other limits', async (t) => {
	const { http } = await destinations(t, drip);
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK), {
		timeouts: { ...idle, request: 900 },
		bodyRate: rate,
	});
	const error = await t.throwsAsync(
		stack
			.client('push')
			.get(`${named(http)}/`, { context: { bodyRate: false } })
			.text(),
	);
	t.like(error, { code: 'ERR_TIMEOUT', phase: 'request' });
});

test('an invalid bodyRate is refused when the stack is created and per request', async (t) => {
	const { http } = await destinations(t, steady);
	await t.throwsAsync(
		async () =>
			client(t, configFrom({}, ALLOW_LOOPBACK), { bodyRate: { minBytesPerSecond: -1, windowMs: 10 } }),
		{ code: 'ERR_INVALID_OPTION', message: /invalid option bodyRate: must be false or/ },
	);
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK));
	await t.throwsAsync(
		async () =>
			stack
				.client('push')
				.get(`${named(http)}/`, { context: { bodyRate: { minBytesPerSecond: 1, windowMs: 0 } } }),
		{ code: 'ERR_INVALID_OPTION', message: /invalid option context\.bodyRate: must be/ },
	);
});

test('every request has an overall deadline and a minimum body rate by default', (t) => {
	t.is(DEFAULT_TIMEOUTS.request, 600_000);
	t.deepEqual({ ...DEFAULT_BODY_RATE }, { minBytesPerSecond: 1024, windowMs: 10_000 });
});
