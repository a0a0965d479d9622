// createOutboundHttp validates its options at the boundary: a bad value fails at once, coded and named.
import test from 'ava';
import { createOutboundHttp, InvalidOptionError, isOutboundHttpError } from '../src/index.js';
import type { OutboundHttpOptions } from '../src/index.js';
import { ALLOW_LOOPBACK, configFrom } from './helpers/setup.js';

const config = configFrom({}, ALLOW_LOOPBACK);

function refusal(options: unknown): InvalidOptionError | undefined {
	try {
		createOutboundHttp(config, options as OutboundHttpOptions).close();
	} catch (error) {
		if (error instanceof InvalidOptionError) return error;
		throw error;
	}
	return undefined;
}

const invalid: Array<[string, unknown, string, RegExp]> = [
	['a NaN proxy timeout', { timeouts: { proxy: Number.NaN } }, 'timeouts.proxy', /milliseconds/],
	['an infinite socket timeout', { timeouts: { socket: Number.POSITIVE_INFINITY } }, 'timeouts.socket', /./],
	['a negative response timeout', { timeouts: { response: -1 } }, 'timeouts.response', /more than 0/],
	['a zero connect timeout', { timeouts: { connect: 0 } }, 'timeouts.connect', /more than 0/],
	['a fractional lookup timeout', { timeouts: { lookup: 1.5 } }, 'timeouts.lookup', /whole number/],
	[
		'a timeout longer than a timer can wait',
		{ timeouts: { request: 2 ** 31 } },
		'timeouts.request',
		/at most/,
	],
	['a timeout given as text', { timeouts: { send: '30s' } }, 'timeouts.send', /number/],
	['timeouts that are not an object', { timeouts: 5 }, 'timeouts', /object/],
	['a pool of no sockets', { pool: { maxSockets: 0 } }, 'pool.maxSockets', /at least 1/],
	['a negative idle cap', { pool: { maxIdleSockets: -1 } }, 'pool.maxIdleSockets', /at least 0/],
	['a NaN idle socket time', { pool: { idleSocketMs: Number.NaN } }, 'pool.idleSocketMs', /./],
	['a negative retry limit', { retryLimit: -1 }, 'retryLimit', /at least 0/],
	['a User-Agent with a newline', { userAgent: 'a\r\nX-Injected: 1' }, 'userAgent', /control characters/],
	['an empty User-Agent', { userAgent: '' }, 'userAgent', /empty/],
	['a lookup that is not a function', { lookup: 'dns' }, 'lookup', /function/],
	['a CA list that is not a list', { ca: 'PEM' }, 'ca', /list/],
	['a CA entry that is not text', { ca: [42] }, 'ca.0', /PEM/],
	['options that are not an object', null, 'options', /object/],
];

for (const [what, options, option, reason] of invalid) {
	test(`${what} is refused with ERR_INVALID_OPTION naming ${option}`, (t) => {
		const error = refusal(options);
		t.true(isOutboundHttpError(error, 'ERR_INVALID_OPTION'));
		t.is(error?.option, option);
		t.regex(error?.reason ?? '', reason);
		t.is(error?.message, `invalid option ${option}: ${error?.reason ?? ''}`);
	});
}

test('valid options, partial timeouts and no options at all are accepted', (t) => {
	t.is(refusal(undefined), undefined);
	t.is(refusal({}), undefined);
	t.is(
		refusal({
			timeouts: { proxy: 300, request: undefined },
			pool: { maxFreeSockets: 0, maxSockets: 1, idleSocketMs: 50 },
			retryLimit: 0,
			userAgent: 'homeserver/1.0 (test)',
			ca: [],
			lookup: () => undefined,
		}),
		undefined,
	);
});
