import { createFederationClient, createServerResolver, generateSigningKey } from '@homeserver/federation';
import { createFederationMediaSource, mediaRef } from '@homeserver/media-fetcher';
import type { RemoteMediaSource } from '@homeserver/media-fetcher';
import { IpBlockedError } from '@homeserver/outbound-http';
import type { OutboundHttp } from '@homeserver/outbound-http';
import { createTestResolver, startHttpServer, startRemoteHomeserver } from '@homeserver/testkit';
import type { DestinationServer, RemoteHomeserver } from '@homeserver/testkit';
import test from 'ava';
import { startFaultProxy } from './helpers/fault-proxy.js';
import type { FaultProxy } from './helpers/fault-proxy.js';
import { redirectHandler, redirectPath } from './helpers/redirector.js';
import { LeakAudit } from './helpers/secrets.js';
import { watchConnections } from './helpers/socket-guard.js';
import {
	ALLOW_TEST_SERVERS,
	configFrom,
	mapLookup,
	outboundFor,
	proxyYaml,
	testPki,
} from './helpers/stack.js';
import { registerSuiteChecks } from './helpers/suite-hooks.js';

const audit = new LeakAudit();
registerSuiteChecks(test, audit);

const key = generateSigningKey('hostile');
let remote: RemoteHomeserver;
let cdn: DestinationServer;
let proxy: FaultProxy;
const stacks: OutboundHttp[] = [];
const sources: Record<'direct' | 'proxied', RemoteMediaSource> = {} as never;

test.before(async () => {
	const { destination } = await testPki();
	remote = await startRemoteHomeserver({
		serverName: 'remote.test',
		tls: destination,
		keys: { 'origin.test': { keyId: key.keyId, publicKeyBase64: key.publicKeyBase64 } },
	});
	remote.setServerName(`remote.test:${remote.port}`);
	cdn = await startHttpServer(redirectHandler);
	proxy = await startFaultProxy();
	proxy.map(`remote.test:${remote.port}`, remote.port);
	const lookup = mapLookup({
		'remote.test': ['127.0.0.1'],
		'cdn.test': ['127.0.0.1'],
		'internal.test': ['10.0.0.1'],
		'loop.test': ['127.0.0.2'],
	});
	// Server names here carry a port: no .well-known, no SRV (a fetch would be a bug in this test).
	const resolver = createServerResolver({
		fetchWellKnown: () => Promise.reject(new Error('no .well-known expected')),
		dns: createTestResolver(),
	});
	const base = 'server_name: origin.test\n' + ALLOW_TEST_SERVERS;
	for (const [name, yaml] of [
		['direct', base],
		['proxied', base + proxyYaml(proxy.url)],
	] as const) {
		const http = await outboundFor(configFrom(yaml), audit, lookup);
		stacks.push(http);
		const client = createFederationClient({
			config: http.config,
			outbound: http,
			signingKey: key,
			resolver,
			logger: audit.logger,
		});
		sources[name] = createFederationMediaSource({ client, http, logger: audit.logger });
	}
});

test.after.always(async () => {
	for (const stack of stacks) stack.close();
	audit.addRequests('cdn', cdn.requests);
	audit.addRequests('remote homeserver', remote.requests);
	await Promise.all([remote?.close(), cdn?.close(), proxy?.close()]);
});

/** A remote media answer whose `Location` points into blocked space. */
interface LocationCase {
	readonly id: string;
	readonly location: () => string;
	readonly refused: string;
	/** Names are the proxy's business on proxied routes: those cases run direct only. */
	readonly directOnly?: boolean;
}

const CASES: LocationCase[] = [
	{ id: 'literal', location: () => `http://127.0.0.2:${cdn.port}/m`, refused: '127.0.0.2' },
	{ id: 'v6', location: () => `https://[::1]:${cdn.port}/m`, refused: '::1' },
	{ id: 'metadata', location: () => 'http://169.254.169.254/latest/meta-data/', refused: '169.254.169.254' },
	{ id: 'nat64', location: () => 'https://[64:ff9b::a9fe:a9fe]/', refused: '64:ff9b::a9fe:a9fe' },
	{ id: 'mapped', location: () => 'http://[::ffff:10.0.0.1]/', refused: '10.0.0.1' },
	{ id: 'decimal', location: () => `http://2130706434:${cdn.port}/`, refused: '127.0.0.2' },
	{ id: 'relative', location: () => `//127.0.0.2:${cdn.port}/m`, refused: '127.0.0.2' },
	{ id: 'name', location: () => 'http://internal.test/', refused: '10.0.0.1', directOnly: true },
	{
		id: 'upperdot',
		location: () => `http://LOOP.TEST.:${cdn.port}/`,
		refused: '127.0.0.2',
		directOnly: true,
	},
	{
		id: 'hop',
		location: () => `http://cdn.test:${cdn.port}${redirectPath(302, `http://127.0.0.2:${cdn.port}/x`).path}`,
		refused: '127.0.0.2',
		directOnly: true,
	},
];

function blockedCause(error: unknown): IpBlockedError | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
		if (current instanceof IpBlockedError) return current;
		current = current.cause;
	}
	return undefined;
}

for (const item of CASES) {
	for (const route of ['direct', 'proxied'] as const) {
		if (route === 'proxied' && item.directOnly === true) continue;
		test(`${route}: a media Location into blocked space (${item.id}) is refused before a socket opens`, async (t) => {
			const mediaId = `${item.id}_${route}`;
			remote.media.addRedirect(mediaId, item.location());
			const proxyBefore = proxy.log.length;
			const ref = mediaRef(remote.serverName, mediaId);
			const { error, attempts } = await watchConnections(() =>
				sources[route].fetch(ref, { maxBytes: 1 << 20 }),
			);
			audit.addError(mediaId, error);
			t.is((error as { code?: string }).code, 'ERR_REMOTE_FAILED', String(error));
			t.is(blockedCause(error)?.address, item.refused, String(error));
			t.is(remote.media.downloads(mediaId), 1, 'the remote was asked once');
			const reached = attempts.flatMap((attempt) => attempt.addresses);
			t.true(
				reached.every((address) => address === '127.0.0.1'),
				reached.join(', '),
			);
			const asked = proxy.log.slice(proxyBefore).map((entry) => entry.target);
			t.false(
				asked.some((target) => target.includes(item.refused)),
				asked.join(', '),
			);
		});
	}
}
