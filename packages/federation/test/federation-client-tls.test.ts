// Certificate checks of purpose `federation` (outbound-http's federation TLS profile): federation_custom_ca_list and
// federation_verify_certificates apply to the destination and to an https:// proxy; names are checked against the
// (delegated) server name, never the SRV target.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { TlsMaterial } from '@homeserver/testkit';
import {
	configFor,
	federationClient,
	forwardProxy,
	proxyUrl,
	remoteServer,
	testPki,
} from './helpers/federation-net.js';

const NO_VERIFY = ['federation_verify_certificates: false'];

async function serverWith(t: ExecutionContext, tls: TlsMaterial) {
	const server = await remoteServer(t, { tls });
	const name = `testserv:${server.port}`;
	server.setServerName(name);
	server.handle('GET', '/foo/bar', () => ({ body: {} }));
	return { server, name };
}

test('test_get_hostname_bad_cert: a certificate from an untrusted CA is ERR_DESTINATION_TLS naming the settings', async (t) => {
	const { untrusted } = await testPki();
	const { server, name } = await serverWith(t, untrusted);
	const { client } = await federationClient(t, await configFor());
	const error = await t.throwsAsync(client.request(name, { method: 'GET', path: '/foo/bar' }));
	t.like(error, { code: 'ERR_DESTINATION_TLS' });
	t.regex(error?.message ?? '', /federation_custom_ca_list/);
	t.is(server.requests.length, 0);
});

test('federation_verify_certificates: false accepts the untrusted destination certificate', async (t) => {
	const { untrusted } = await testPki();
	const { server, name } = await serverWith(t, untrusted);
	const { client } = await federationClient(t, await configFor({}, NO_VERIFY));
	t.is((await client.request(name, { method: 'GET', path: '/foo/bar' })).status, 200);
	t.like(server.requests[0], { authorization: 'valid' });
});

test('without federation_custom_ca_list the test CA is not trusted (the list is what trusts it)', async (t) => {
	const { remote } = await testPki();
	const { name } = await serverWith(t, remote);
	const { client } = await federationClient(t, await configFor({}, [], { customCa: false }));
	await t.throwsAsync(client.request(name, { method: 'GET', path: '/foo/bar' }), {
		code: 'ERR_DESTINATION_TLS',
	} as never);
});

test('the certificate is checked against the server name, not the SRV target it connects to', async (t) => {
	const { ca } = await testPki();
	const srvOnly = await ca.issue({ dnsNames: ['srvtarget'] });
	const server = await remoteServer(t, { tls: srvOnly });
	const { client } = await federationClient(t, await configFor(), {
		wellKnownPort: server.port,
		srv: { '_matrix-fed._tcp.testserv': [{ name: 'srvtarget', port: server.port, priority: 0, weight: 0 }] },
	});
	// The .well-known fetch fails TLS too (no delegation), then SRV gives srvtarget, whose certificate does not
	// name testserv.
	await t.throwsAsync(client.request('testserv', { method: 'GET', path: '/foo/bar' }), {
		code: 'ERR_DESTINATION_TLS',
	} as never);
	t.is(server.requests.length, 0);
});

test('test_get_ip_address_bad_cert: an IP-literal server whose certificate has no IP address is refused', async (t) => {
	const { ca } = await testPki();
	const server = await remoteServer(t, { tls: await ca.issue({ dnsNames: ['testserv'] }) });
	const name = `127.0.0.1:${server.port}`;
	server.setServerName(name);
	const { client } = await federationClient(t, await configFor());
	await t.throwsAsync(client.request(name, { method: 'GET', path: '/foo/bar' }), {
		code: 'ERR_DESTINATION_TLS',
	} as never);
});

test('an https proxy is verified with the federation settings: untrusted is ERR_PROXY_TLS, unless verification is off', async (t) => {
	const { untrusted, remote } = await testPki();
	const proxy = await forwardProxy(t, { tls: untrusted });
	const { server, name } = await serverWith(t, remote);
	// The untrusted certificate names testserv (not proxy.com): only its CA is wrong.
	const env = { https_proxy: proxyUrl(proxy).replace('proxy.com', 'testserv') };
	const strict = await federationClient(t, await configFor(env));
	const error = await t.throwsAsync(strict.client.request(name, { method: 'GET', path: '/foo/bar' }));
	t.like(error, { code: 'ERR_PROXY_TLS' });
	t.regex(error?.message ?? '', /federation_custom_ca_list/);
	t.is(proxy.connects, 0);
	const relaxed = await federationClient(t, await configFor(env, NO_VERIFY));
	t.is((await relaxed.client.request(name, { method: 'GET', path: '/foo/bar' })).status, 200);
	t.is(proxy.connects, 1);
	t.like(server.requests[0], { servername: 'testserv', authorization: 'valid' });
});
