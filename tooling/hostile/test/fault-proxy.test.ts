import {
	OutboundHttpError,
	ProxyAuthRequiredError,
	ProxyRefusedError,
	isOutboundHttpError,
} from '@homeserver/outbound-http';
import type { OutboundHttp } from '@homeserver/outbound-http';
import { startHttpsServer } from '@homeserver/testkit';
import type { DestinationServer } from '@homeserver/testkit';
import test from 'ava';
import { startFaultProxy } from './helpers/fault-proxy.js';
import type { FaultBehaviour, FaultProxy } from './helpers/fault-proxy.js';
import { LeakAudit, PROXY_USER } from './helpers/secrets.js';
import { SUITE_TIMEOUTS, configFrom, mapLookup, outboundFor, proxyYaml, testPki } from './helpers/stack.js';
import { registerSuiteChecks } from './helpers/suite-hooks.js';
import { within } from './helpers/within.js';

const audit = new LeakAudit();
registerSuiteChecks(test, audit);

/** The handshake deadline of these tests: stalls must end with it, typed. */
const PROXY_MS = 700;
const BODY = Buffer.alloc(256 * 1024, 0x62);

let destination: DestinationServer;

test.before(async () => {
	const { destination: tls } = await testPki();
	destination = await startHttpsServer(tls, (_request, response) => {
		response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BODY.length });
		response.end(BODY);
	});
});

test.after.always(async () => {
	audit.addRequests('destination', destination.requests);
	await destination?.close();
});

/**
 * A fresh proxy and stack per test (behaviours differ), both closed at the end of the test. Only tests that
 * assert a stall get the short deadlines: a test that expects success keeps the suite's, which a loaded CI
 * machine never trips.
 */
async function setup(
	t: { teardown(fn: () => unknown): void },
	deadlines: 'short' | 'suite',
): Promise<{ proxy: FaultProxy; http: OutboundHttp; url: string }> {
	const proxy = await startFaultProxy();
	proxy.map(`test.com:${destination.port}`, destination.port);
	const timeouts =
		deadlines === 'short'
			? { ...SUITE_TIMEOUTS, proxy: PROXY_MS, secureConnect: PROXY_MS, socket: 2000 }
			: SUITE_TIMEOUTS;
	const http = await outboundFor(configFrom(proxyYaml(proxy.url)), audit, mapLookup({}), { timeouts });
	t.teardown(async () => {
		http.close();
		await proxy.close();
	});
	return { proxy, http, url: `https://test.com:${destination.port}/file` };
}

async function failure(http: OutboundHttp, url: string): Promise<unknown> {
	const error = await within(http.client('push').get(url), 10_000, url).then(
		() => new Error('unexpected success'),
		(caught: unknown) => caught,
	);
	audit.addError(url, error);
	return error;
}

test('a proxy answering 502/503 for a while gives ERR_PROXY_REFUSED with the status; a later request succeeds', async (t) => {
	const { proxy, http, url } = await setup(t, 'suite');
	const refusals = [502, 503, 502, 503];
	proxy.behaviour = (_target, index): FaultBehaviour =>
		index < refusals.length ? { kind: 'status', status: refusals[index]! } : { kind: 'tunnel' };
	for (const status of refusals) {
		const error = await failure(http, url);
		t.true(error instanceof ProxyRefusedError, String(error));
		t.is((error as ProxyRefusedError).statusCode, status);
		t.true((error as Error).message.includes(`${PROXY_USER}:***@`), 'the message names the redacted proxy');
	}
	const response = await http.client('push').get(url, { responseType: 'buffer' });
	t.true(response.rawBody.equals(BODY), 'recovered: the full body arrives');
	t.is(proxy.log.filter((entry) => entry.behaviour === 'tunnel').length, 1);
});

test('a tunnel closed in the middle of the body gives a typed error (promise and stream), then recovers', async (t) => {
	const { proxy, http, url } = await setup(t, 'suite');
	proxy.behaviour = (_target, index): FaultBehaviour =>
		index < 2 ? { kind: 'cut', afterBytes: 64 * 1024 } : { kind: 'tunnel' };
	const promiseError = await failure(http, url);
	t.true(promiseError instanceof OutboundHttpError, String(promiseError));
	const streamError = await within(
		new Promise((resolve, reject) => {
			http
				.client('push')
				.stream(url)
				.on('error', resolve)
				.on('end', () => reject(new Error('stream ended normally')))
				.resume();
		}),
		10_000,
		'cut stream',
	);
	audit.addError('stream', streamError);
	t.true(streamError instanceof OutboundHttpError, String(streamError));
	const response = await http.client('push').get(url, { responseType: 'buffer' });
	t.true(response.rawBody.equals(BODY));
});

test('a proxy that never answers CONNECT ends with ERR_PROXY_TIMEOUT naming the configured deadline', async (t) => {
	const { proxy, http, url } = await setup(t, 'short');
	proxy.behaviour = () => ({ kind: 'silent' });
	const error = await failure(http, url);
	t.true(isOutboundHttpError(error, 'ERR_PROXY_TIMEOUT'), String(error));
	t.regex((error as Error).message, new RegExp(`within ${PROXY_MS} ms`));
});

test('a proxy that stalls after its 200 (no TLS through the tunnel) ends with a typed timeout', async (t) => {
	const { proxy, http, url } = await setup(t, 'short');
	proxy.behaviour = () => ({ kind: 'stall' });
	const error = await failure(http, url);
	t.log((error as OutboundHttpError).code, (error as Error).message);
	t.true(
		isOutboundHttpError(error, 'ERR_PROXY_TIMEOUT') ||
			(isOutboundHttpError(error, 'ERR_TIMEOUT') && (error as { phase?: string }).phase === 'secureConnect'),
		String(error),
	);
});

test('a proxy closing the tunnel right after its 200 gives a typed error, not a hang', async (t) => {
	const { proxy, http, url } = await setup(t, 'suite');
	proxy.behaviour = () => ({ kind: 'close-after-200' });
	const error = await failure(http, url);
	t.log((error as OutboundHttpError).code);
	t.true(error instanceof OutboundHttpError, String(error));
});

test('wrong proxy credentials give ERR_PROXY_AUTH_REQUIRED with the realm, and no password in the message', async (t) => {
	const { proxy, url } = await setup(t, 'suite');
	const wrong = proxy.url.replace('http://', `http://${PROXY_USER}:not-the-password@`);
	const http = await outboundFor(configFrom(`https_proxy: "${wrong}"\n`), audit, mapLookup({}));
	t.teardown(() => http.close());
	const error = await failure(http, url);
	t.true(error instanceof ProxyAuthRequiredError, String(error));
	t.is((error as ProxyAuthRequiredError).realm, 'hostile');
	t.false((error as Error).message.includes('not-the-password'));
	t.is(proxy.log[0]?.behaviour, 'auth');
});
