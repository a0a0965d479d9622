import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import type { RequestHandler } from '@homeserver/testkit';
import { InvalidOptionError, ResponseTooLargeError } from '../src/index.js';
import { ALLOW_LOOPBACK, configFrom } from './helpers/setup.js';
import { client, destinations, forwardProxy, named } from './helpers/fixtures.js';

const CHUNK = Buffer.alloc(16 * 1024, 'x');

/** A body that never ends on its own: only the client aborting stops it. `closed` settles when it does. */
function endless(): { handler: RequestHandler; closed: Promise<unknown> } {
	let markClosed: (value: unknown) => void = () => undefined;
	const closed = new Promise((resolve) => (markClosed = resolve));
	const handler: RequestHandler = (_request, response) => {
		response.writeHead(200, { 'content-type': 'application/octet-stream' });
		const pump = (): void => {
			while (!response.destroyed && response.write(CHUNK));
		};
		response.on('drain', pump);
		response.on('close', () => markClosed(undefined));
		pump();
	};
	return { handler, closed };
}

const sized: RequestHandler = (request, response) => {
	const size = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('size'));
	response.writeHead(200, { 'content-length': String(size) }).end(Buffer.alloc(size, 'y'));
};

test('a Content-Length above the cap is refused before the body is read', async (t) => {
	const { http } = await destinations(t, sized);
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK));
	const error = await t.throwsAsync(
		stack.client('push').get(`${named(http)}/?size=5000000`, { context: { maxBytes: 1000 } }),
	);
	t.true(error instanceof ResponseTooLargeError);
	t.like(error, { code: 'ERR_RESPONSE_TOO_LARGE', limit: 1000, received: 5_000_000 });
	t.regex(error.message, /announces 5000000 bytes, more than the limit of 1000/);
	t.regex(
		await stack.metrics.registry.metrics(),
		/outbound_request_errors_total\{purpose="push",code="ERR_RESPONSE_TOO_LARGE"\} 1/,
	);
});

test('bodies at or under the cap pass untouched', async (t) => {
	const { http } = await destinations(t, sized);
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK));
	const body = await stack
		.client('push')
		.get(`${named(http)}/?size=1000`, { context: { maxBytes: 1000 } })
		.buffer();
	t.is(body.length, 1000);
	t.is(
		(
			await stack
				.client('push')
				.get(`${named(http)}/?size=10`, { context: { maxBytes: 1000 } })
				.buffer()
		).length,
		10,
	);
});

test('an endless body without Content-Length is aborted once it passes the cap (promise API)', async (t) => {
	const { handler, closed } = endless();
	const { http } = await destinations(t, handler);
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK));
	const error = await t.throwsAsync(
		stack
			.client('push')
			.get(`${named(http)}/`, { context: { maxBytes: 100_000 } })
			.buffer(),
	);
	t.like(error, { code: 'ERR_RESPONSE_TOO_LARGE', limit: 100_000 });
	const received = (error as ResponseTooLargeError).received;
	t.true(received > 100_000 && received <= 100_000 + 2 * CHUNK.length, String(received));
	await closed;
	t.pass('the connection was closed by the client');
});

test('an endless body is aborted once it passes the cap (stream API), with our error on the stream', async (t) => {
	const { handler, closed } = endless();
	const { http } = await destinations(t, handler);
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK));
	let written = 0;
	const sink = new Writable({
		write(chunk: Buffer, _encoding, callback) {
			written += chunk.length;
			callback();
		},
	});
	const stream = stack.client('push').stream(`${named(http)}/`, { context: { maxBytes: 50_000 } });
	const error = await t.throwsAsync(pipeline(stream, sink));
	t.true(error instanceof ResponseTooLargeError);
	t.true(written <= 50_000 + 2 * CHUNK.length);
	await closed;
});

test('the stream API refuses an announced oversize body too', async (t) => {
	const { http } = await destinations(t, sized);
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK));
	const stream = stack.client('push').stream(`${named(http)}/?size=200000`, { context: { maxBytes: 1000 } });
	stream.resume();
	const [error] = (await once(stream, 'error')) as [Error];
	t.like(error, { code: 'ERR_RESPONSE_TOO_LARGE', received: 200_000 });
});

test('the cap counts decompressed bytes: a gzip bomb is stopped', async (t) => {
	const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024));
	const { http } = await destinations(t, (_request, response) => {
		response.writeHead(200, { 'content-encoding': 'gzip' }).end(bomb);
	});
	t.true(bomb.length < 100_000);
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK));
	const error = await t.throwsAsync(
		stack
			.client('push')
			.get(`${named(http)}/`, { context: { maxBytes: 1_000_000 } })
			.buffer(),
	);
	t.like(error, { code: 'ERR_RESPONSE_TOO_LARGE' });
});

test('the cap applies through a CONNECT tunnel as well', async (t) => {
	const { handler, closed } = endless();
	const proxy = await forwardProxy(t);
	const { https } = await destinations(t, handler);
	const stack = await client(t, configFrom({ https_proxy: proxy.url }));
	const error = await t.throwsAsync(
		stack
			.client('push')
			.get(`${named(https)}/`, { context: { maxBytes: 10_000 } })
			.buffer(),
	);
	t.like(error, { code: 'ERR_RESPONSE_TOO_LARGE' });
	await closed;
});

test('a maxBytes that is not a non-negative integer is a programming error: ERR_INVALID_OPTION naming it', async (t) => {
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK));
	const error = t.throws(() => stack.client('push').get('http://test.com/', { context: { maxBytes: -1 } }), {
		instanceOf: InvalidOptionError,
	});
	t.like(error, { code: 'ERR_INVALID_OPTION', option: 'context.maxBytes' });
});
