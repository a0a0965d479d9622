import type { LookupFunction } from 'node:net';
import test from 'ava';
import { createOutboundHttp, isOutboundHttpError } from '@homeserver/outbound-http';
import { createFederationClient } from '../src/index.js';
import type { SrvDns } from '../src/index.js';
import { configFor, federationClient, remoteServer, testPki } from './helpers/federation-net.js';

const WHITELIST = 'federation_domain_whitelist: ["testserv"]';
const srv = (name: string, port: number) => ({ name, port, priority: 0, weight: 0 });

test('a destination not in federation_domain_whitelist is refused before resolution: no DNS, no socket', async (t) => {
	const config = await configFor({}, [WHITELIST]);
	const { key } = await testPki();
	const lookup: LookupFunction = () => t.fail('no address lookup may happen');
	const dns: SrvDns = { resolveSrv: () => Promise.reject(new Error('no SRV lookup may happen')) };
	const outbound = createOutboundHttp(config, { lookup, retryLimit: 0 });
	t.teardown(() => outbound.close());
	const client = createFederationClient({ config, outbound, signingKey: key, dns });
	t.teardown(() => client.close());
	for (const call of [
		() => client.request('evil.test', { method: 'PUT', path: '/_matrix/federation/v1/send/1', body: {} }),
		() => client.request('evil.test', { method: 'GET', path: '/_matrix/key/v2/server' }),
		() => client.stream('evil.test', { method: 'GET', path: '/_matrix/federation/v1/media/download/abc' }),
	]) {
		const error = await t.throwsAsync(call());
		t.true(isOutboundHttpError(error, 'ERR_FEDERATION_DENIED'), String(error));
		t.regex(error?.message ?? '', /"evil\.test".*federation_domain_whitelist/);
	}
	t.is(
		(await outbound.metrics.requests.get()).values.reduce((sum, value) => sum + value.value, 0),
		0,
		'no hop was even routed',
	);
});

test('explaining a destination not in federation_domain_whitelist reports ERR_FEDERATION_DENIED without any lookup', async (t) => {
	const config = await configFor({}, [WHITELIST]);
	const { key } = await testPki();
	const lookup: LookupFunction = () => t.fail('no address lookup may happen');
	const dns: SrvDns = { resolveSrv: () => t.fail('no SRV lookup may happen') };
	const outbound = createOutboundHttp(config, { lookup, retryLimit: 0 });
	t.teardown(() => outbound.close());
	const client = createFederationClient({ config, outbound, signingKey: key, dns });
	t.teardown(() => client.close());
	for (const name of ['evil.test', 'evil.test:8448']) {
		const report = await client.explain(name);
		t.like(report, { serverName: name, wellKnownRoute: null, steps: [], candidates: [] });
		t.is(report.error?.code, 'ERR_FEDERATION_DENIED');
		t.regex(report.error?.message ?? '', /federation_domain_whitelist/);
	}
	t.is(
		(await outbound.metrics.requests.get()).values.reduce((sum, value) => sum + value.value, 0),
		0,
		'no hop was even routed',
	);
});

test('a listed server is reached through its .well-known and SRV delegation (the server name is checked, not the target)', async (t) => {
	const server = await remoteServer(t);
	server.handle('GET', '/foo/bar', () => ({ body: { ok: true } }));
	const config = await configFor({}, [WHITELIST]);
	const net = await federationClient(t, config, {
		wellKnownPort: server.port,
		srv: { '_matrix-fed._tcp.testserv': [srv('srvtarget2', server.port)] },
	});
	const answer = await net.client.request('testserv', { method: 'GET', path: '/foo/bar' });
	t.deepEqual(answer.body, { ok: true });
});
