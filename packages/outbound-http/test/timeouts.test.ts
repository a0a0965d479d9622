import test from 'ava';
import type { RequestHandler } from '@homeserver/testkit';
import { RequestTimeoutError } from '../src/index.js';
import { ALLOW_LOOPBACK, configFrom } from './helpers/setup.js';
import { client, destinations, forwardProxy, named } from './helpers/fixtures.js';

const headersThenSilence: RequestHandler = (_request, response) => {
	response.writeHead(200, { 'content-type': 'text/plain' });
	response.write('partial');
};

const neverAnswers: RequestHandler = () => undefined;

test('a body that stops flowing ends with ERR_TIMEOUT (socket idle), direct', async (t) => {
	const { http } = await destinations(t, headersThenSilence);
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK), { timeouts: { socket: 300 } });
	const error = await t.throwsAsync(
		stack
			.client('push')
			.get(`${named(http)}/`)
			.text(),
	);
	t.true(error instanceof RequestTimeoutError);
	t.like(error, { code: 'ERR_TIMEOUT', phase: 'socket' });
});

test('a body that stops flowing ends with ERR_TIMEOUT inside a CONNECT tunnel too', async (t) => {
	const proxy = await forwardProxy(t);
	const { https } = await destinations(t, headersThenSilence);
	const stack = await client(t, configFrom({ https_proxy: proxy.url }), { timeouts: { socket: 300 } });
	const error = await t.throwsAsync(
		stack
			.client('push')
			.get(`${named(https)}/`)
			.text(),
	);
	t.like(error, { code: 'ERR_TIMEOUT', phase: 'socket' });
});

test('response headers that never come end with ERR_TIMEOUT (response)', async (t) => {
	const { https } = await destinations(t, neverAnswers);
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK), {
		timeouts: { response: 300, socket: 10_000 },
	});
	const error = await t.throwsAsync(
		stack
			.client('push')
			.get(`${named(https)}/`)
			.text(),
	);
	t.like(error, { code: 'ERR_TIMEOUT', phase: 'response' });
	t.regex(error.message, /timed out \(response\)/);
});

test('an overall request limit covers redirects and retries', async (t) => {
	const { http } = await destinations(t, neverAnswers);
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK), {
		timeouts: { request: 300, response: 10_000, socket: 10_000 },
	});
	const error = await t.throwsAsync(
		stack
			.client('push')
			.get(`${named(http)}/`)
			.text(),
	);
	t.like(error, { code: 'ERR_TIMEOUT', phase: 'request' });
});
