// A URL the client cannot request fails with the same code as route(): got parses URLs before our hooks run, so
// its errors must be mapped, for the first URL and for a redirect's Location.
import { inspect } from 'node:util';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { OutboundHttpError, createRouter } from '../src/index.js';
import type { OutboundHttp } from '../src/index.js';
import { ALLOW_LOOPBACK, configFrom } from './helpers/setup.js';
import { client, destinations, named } from './helpers/fixtures.js';

/** The error of a GET through the promise API and through the stream API (they must agree). */
async function errorsOf(stack: OutboundHttp, url: string): Promise<[unknown, unknown]> {
	const promise = await stack
		.client('push')
		.get(url)
		.text()
		.then(
			() => new Error('unexpected success'),
			(error: unknown) => error,
		);
	const stream = await new Promise<unknown>((resolve) => {
		stack
			.client('push')
			.stream(url)
			.on('error', resolve)
			.on('end', () => resolve(new Error('unexpected success')))
			.resume();
	});
	return [promise, stream];
}

function routeError(url: string): OutboundHttpError {
	try {
		createRouter(configFrom()).route(url, 'push');
	} catch (error) {
		return error as OutboundHttpError;
	}
	throw new Error(`route() accepted ${url}`);
}

const cases = [
	'not a url',
	'http://',
	'/relative/path',
	'http://[fe80::1%25eth0]/',
	'http://bob:pinkponies@[::1/',
	'ftp://example.org/file',
];

for (const url of cases) {
	test(`client(purpose) rejects ${JSON.stringify(url)} with route()'s code and message`, async (t: ExecutionContext) => {
		const expected = routeError(url);
		const stack = await client(t, configFrom());
		for (const error of await errorsOf(stack, url)) {
			t.true(error instanceof OutboundHttpError, inspect(error));
			t.is((error as OutboundHttpError).code, expected.code);
			t.is((error as OutboundHttpError).message, expected.message);
			t.false((error as Error).message.includes('pinkponies'), 'no user info in the message');
		}
		t.regex(
			await stack.metrics.registry.metrics(),
			new RegExp(`outbound_request_errors_total\\{purpose="push",code="${expected.code}"\\} 2`),
		);
	});
}

test('a redirect to an unparseable Location is ERR_INVALID_URL naming the redirecting URL', async (t) => {
	const { http } = await destinations(t, (_request, response) => {
		response.writeHead(302, { location: 'http://[zz/' });
		response.end();
	});
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK));
	for (const error of await errorsOf(stack, `${named(http)}/from`)) {
		t.true(error instanceof OutboundHttpError, inspect(error));
		t.is((error as OutboundHttpError).code, 'ERR_INVALID_URL');
		t.is(
			(error as Error).message,
			`${named(http)}/from redirected to a location that is not an absolute URL`,
		);
	}
});

test('a redirect to another scheme is ERR_UNSUPPORTED_PROTOCOL naming the redirecting URL', async (t) => {
	const { http } = await destinations(t, (_request, response) => {
		response.writeHead(302, { location: 'file:///etc/passwd' });
		response.end();
	});
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK));
	for (const error of await errorsOf(stack, `${named(http)}/from`)) {
		t.true(error instanceof OutboundHttpError, inspect(error));
		t.is((error as OutboundHttpError).code, 'ERR_UNSUPPORTED_PROTOCOL');
		t.regex((error as Error).message, /redirected to unsupported protocol "file:"/);
	}
});
