// Trust (extra roots, federation_custom_ca_list) lives in one TLS context per profile, carried by the agents: new
// connections do not rebuild it, pool keys do not carry CA bundles, and different trust never shares a pool.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type * as Tls from 'node:tls';
import type { SecureContextOptions } from 'node:tls';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { isOutboundHttpError } from '../src/index.js';
import { ALLOW_LOOPBACK, configFrom, testPki } from './helpers/setup.js';
import { client, destinations, forwardProxy, named, tlsForwardProxy } from './helpers/fixtures.js';
import { proxyUrl } from './helpers/failure.js';

// Counts the TLS contexts built with the test CA among the trusted roots: Node's `tls.connect` calls the tls module's
// `createSecureContext` for every connection that is not handed a `secureContext` (patched on the module object).
const tls = createRequire(import.meta.url)('node:tls') as typeof Tls;
const contextsWithTestCa = { count: 0, pem: '' };
const createSecureContext = tls.createSecureContext;
tls.createSecureContext = (options?: SecureContextOptions) => {
	const ca = options?.ca;
	const list = Array.isArray(ca) ? ca : ca === undefined ? [] : [ca];
	if (contextsWithTestCa.pem !== '' && list.some((entry) => String(entry) === contextsWithTestCa.pem))
		contextsWithTestCa.count++;
	return createSecureContext(options);
};

test.before(async () => {
	contextsWithTestCa.pem = (await testPki()).ca.certPem;
});

/** A `federation_custom_ca_list` file holding only the test CA, removed after the test. */
async function customCaYaml(t: ExecutionContext): Promise<string> {
	const directory = mkdtempSync(join(tmpdir(), 'outbound-http-ca-'));
	t.teardown(() => rmSync(directory, { recursive: true, force: true }));
	const file = join(directory, 'ca.pem');
	writeFileSync(file, (await testPki()).ca.certPem);
	return `federation_custom_ca_list: [${JSON.stringify(file)}]\n`;
}

/** The pool keys of an agent (busy and idle sockets). */
function poolKeys(agent: Agent): string[] {
	return [...Object.keys(agent.sockets), ...Object.keys(agent.freeSockets)];
}

test.serial(
	'extra roots are built into one TLS context, not one per new connection (direct, tunnel, https proxy)',
	async (t) => {
		const proxy = await tlsForwardProxy(t);
		const { https } = await destinations(t);
		const direct = await client(t, configFrom({}, ALLOW_LOOPBACK));
		const tunnelled = await client(t, configFrom({ https_proxy: proxyUrl(proxy) }));
		contextsWithTestCa.count = 0;
		for (const name of ['a.test.com', 'b.test.com', 'c.test.com']) {
			t.is(
				await direct
					.client('push')
					.get(`${named(https, name)}/`)
					.text(),
				'ok',
			);
			t.is(
				await tunnelled
					.client('push')
					.get(`${named(https, name)}/`)
					.text(),
				'ok',
			);
		}
		t.is(proxy.connects, 3, 'three tunnels, each with TLS to the proxy and TLS to the destination');
		t.true(contextsWithTestCa.count <= 2, `${contextsWithTestCa.count} contexts built for 9 TLS handshakes`);
	},
);

test.serial('federation_custom_ca_list is built into one TLS context too', async (t) => {
	const proxy = await forwardProxy(t);
	const { https } = await destinations(t);
	const stack = await client(t, configFrom({ https_proxy: proxy.url }, await customCaYaml(t)), { ca: [] });
	contextsWithTestCa.count = 0;
	for (const name of ['a.test.com', 'b.test.com', 'c.test.com'])
		t.is(
			await stack
				.client('federation')
				.get(`${named(https, name)}/`)
				.text(),
			'ok',
		);
	t.true(contextsWithTestCa.count <= 1, `${contextsWithTestCa.count} contexts built for 3 TLS handshakes`);
});

test('the pool keys of kept-alive https connections do not carry the CA bundle', async (t) => {
	const proxy = await forwardProxy(t);
	const { https } = await destinations(t);
	const direct = await client(t, configFrom({}, ALLOW_LOOPBACK));
	const tunnelled = await client(t, configFrom({ https_proxy: proxy.url }));
	for (const stack of [direct, tunnelled]) {
		const response = await stack.client('push').get(`${named(https)}/`);
		const keys = poolKeys(response.request.options.agent.https as unknown as Agent);
		t.is(keys.length, 1);
		t.true((keys[0] ?? '').length < 300, `pool key of ${keys[0]?.length} characters`);
	}
});

test('different trust never shares a pool: identity_server does not reuse a connection federation trusted', async (t) => {
	const { https } = await destinations(t);
	// identity_server has federation's IP policy but the default trust (system roots only); federation trusts the
	// test CA through federation_custom_ca_list.
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK + (await customCaYaml(t))), { ca: [] });
	t.is(
		await stack
			.client('federation')
			.get(`${named(https)}/`)
			.text(),
		'ok',
	);
	const error = await t.throwsAsync(
		stack
			.client('identity_server')
			.get(`${named(https)}/`)
			.text(),
	);
	t.true(isOutboundHttpError(error, 'ERR_DESTINATION_TLS'), String(error));
	t.is(
		await stack
			.client('federation')
			.get(`${named(https)}/`)
			.text(),
		'ok',
	);
	t.is(https.connections, 1, 'only federation completed a handshake, and its connection was reused');
});

test('TLS options a caller adds keep the profile trust: custom CA list with minVersion, own CA without one', async (t) => {
	const { https } = await destinations(t);
	const { ca } = await testPki();
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK + (await customCaYaml(t))), { ca: [] });
	const strict = { https: { minVersion: 'TLSv1.2' as const } };
	t.is(
		await stack
			.client('federation')
			.get(`${named(https)}/`, strict)
			.text(),
		'ok',
	);
	const untrusted = await t.throwsAsync(
		stack
			.client('push')
			.get(`${named(https)}/`, strict)
			.text(),
	);
	t.true(isOutboundHttpError(untrusted, 'ERR_DESTINATION_TLS'), String(untrusted));
	const own = { https: { certificateAuthority: [ca.certPem] } };
	t.is(
		await stack
			.client('push')
			.get(`${named(https)}/`, own)
			.text(),
		'ok',
	);
});
