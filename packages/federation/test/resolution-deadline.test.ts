// Deadlines over server-name resolution: a `.well-known` that drips, an SRV answer that never comes, and a request
// whose `timeout` runs out while its destination is still being resolved.
import test from 'ava';
import { startHttpsServer } from '@homeserver/testkit';
import type { RequestHandler } from '@homeserver/testkit';
import { createServerResolver, FederationResolutionError, FederationTimeoutError } from '../src/index.js';
import type { SrvDns, WellKnownFetcher } from '../src/index.js';
import { configFor, federationClient, testPki } from './helpers/federation-net.js';

/** A fetcher that never answers, but records the signal it was given and whether it was aborted. */
function hangingFetcher(): WellKnownFetcher & { signals: AbortSignal[] } {
	const signals: AbortSignal[] = [];
	const fetcher: WellKnownFetcher = (_name, { signal }) => {
		if (signal !== undefined) signals.push(signal);
		return new Promise(() => undefined);
	};
	return Object.assign(fetcher, { signals });
}

const noSrv: SrvDns = {
	resolveSrv: (name) =>
		Promise.reject(Object.assign(new Error(`querySrv ENOTFOUND ${name}`), { code: 'ENOTFOUND' })),
};
const silentDns = (calls: string[] = []): SrvDns => ({
	resolveSrv: (name) => {
		calls.push(name);
		return new Promise(() => undefined);
	},
});

test('a .well-known that never answers ends after its budget as "no delegation", the fetch cancelled, even though the fetcher ignores it', async (t) => {
	const fetchWellKnown = hangingFetcher();
	const resolver = createServerResolver({ fetchWellKnown, dns: noSrv, wellKnownTimeoutMs: 100 });
	const [candidate] = await resolver.resolve('slow.example');
	t.like(candidate, { host: 'slow.example', port: 8448, source: 'default-port' });
	t.regex(candidate?.steps.join('\n') ?? '', /no answer within 100 ms: no delegation/);
	t.is(fetchWellKnown.signals.length, 1);
	t.true(fetchWellKnown.signals[0]?.aborted);
});

test('the failed .well-known is cached: the next resolution does not wait again', async (t) => {
	const fetchWellKnown = hangingFetcher();
	const resolver = createServerResolver({ fetchWellKnown, dns: noSrv, wellKnownTimeoutMs: 50 });
	await resolver.resolve('slow.example');
	const [again] = await resolver.resolve('slow.example');
	t.regex(again?.steps.join('\n') ?? '', /cached/);
	t.is(fetchWellKnown.signals.length, 1);
});

test('an SRV answer that never comes is a DNS failure after srvTimeoutMs (ERR_FEDERATION_RESOLUTION)', async (t) => {
	const calls: string[] = [];
	const resolver = createServerResolver({
		fetchWellKnown: () => Promise.resolve({ status: 404, headers: {}, body: new Uint8Array() }),
		dns: silentDns(calls),
		srvTimeoutMs: 100,
	});
	const error = await t.throwsAsync(resolver.resolve('quiet.example'));
	t.true(error instanceof FederationResolutionError);
	t.regex(
		error.message,
		/SRV lookup of _matrix-fed\._tcp\.quiet\.example failed \(no answer within 100 ms\)/,
	);
	t.deepEqual(calls, ['_matrix-fed._tcp.quiet.example']);
});

test("the caller's signal ends a resolution stuck in SRV at once, with the signal's own federation error", async (t) => {
	const resolver = createServerResolver({
		fetchWellKnown: () => Promise.resolve({ status: 404, headers: {}, body: new Uint8Array() }),
		dns: silentDns(),
		srvTimeoutMs: 600_000,
	});
	const stop = new AbortController();
	const pending = resolver.resolve('quiet.example', { signal: stop.signal });
	setImmediate(() => stop.abort(new Error('shutting down')));
	const error = await t.throwsAsync(pending);
	t.like(error, { code: 'ERR_ABORTED' });
	t.regex(error.message, /shutting down/);
});

/** A `.well-known` that sends its headers, then one byte every 100 ms for ever. */
const drip: RequestHandler = (_request, response) => {
	response.writeHead(200, { 'content-type': 'application/json' });
	const timer = setInterval(() => response.write(' '), 100);
	response.on('close', () => clearInterval(timer));
};

test("a request's timeout covers the resolution: a dripping .well-known ends it with ERR_TIMEOUT (deadline, stage resolution)", async (t) => {
	const { remote } = await testPki();
	const server = await startHttpsServer(remote, drip);
	t.teardown(() => server.close());
	const net = await federationClient(t, await configFor(), { wellKnownPort: server.port });
	const error = await t.throwsAsync(
		net.client.request('testserv', { method: 'GET', path: '/_matrix/federation/v1/version', timeout: 400 }),
	);
	t.true(error instanceof FederationTimeoutError, String(error));
	t.like(error, { code: 'ERR_TIMEOUT', phase: 'deadline', stage: 'resolution', timeoutMs: 400 });
	t.regex(error.message, /deadline of 400 ms \(ran out during server-name resolution\)/);
});

test('needsWellKnown says whether a resolution would fetch a .well-known: not for literals, ports or fresh answers', async (t) => {
	const resolver = createServerResolver({
		fetchWellKnown: () => Promise.resolve({ status: 404, headers: {}, body: new Uint8Array() }),
		dns: noSrv,
	});
	t.true(resolver.needsWellKnown('fresh.example'));
	t.false(resolver.needsWellKnown('fresh.example:8448'));
	t.false(resolver.needsWellKnown('127.0.0.1'));
	t.false(resolver.needsWellKnown('not a name'));
	await resolver.resolve('fresh.example');
	t.false(resolver.needsWellKnown('fresh.example'));
	resolver.clearCache();
	t.true(resolver.needsWellKnown('fresh.example'));
});
