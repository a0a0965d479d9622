// federation_certificate_verification_whitelist and federation_client_minimum_tls_version against real TLS servers
// on loopback: a self-signed certificate, and a server that speaks TLS 1.2 at most.
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { createSelfSignedCertificate } from '@homeserver/testkit';
import type { TlsMaterial } from '@homeserver/testkit';
import { isOutboundHttpError } from '../src/index.js';
import { compileCertificateWhitelist } from '../src/agents/certificate-whitelist.js';
import { effectiveMinVersion } from '../src/agents/tls-profile.js';
import { ALLOW_LOOPBACK, configFrom, testPki } from './helpers/setup.js';
import { client } from './helpers/fixtures.js';

/** An https server on 127.0.0.1 answering `ok`, closed after the test; `other.test` resolves to it. */
async function tlsServer(
	t: ExecutionContext,
	material: TlsMaterial,
	maxVersion?: 'TLSv1.2',
): Promise<{ url: string; handshakes: () => number }> {
	let handshakes = 0;
	const server: Server = createServer(
		{ cert: material.certPem, key: material.keyPem, ...(maxVersion === undefined ? {} : { maxVersion }) },
		(_request, response) => response.end('ok'),
	);
	server.on('secureConnection', () => handshakes++);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	t.teardown(
		() =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	);
	const { port } = server.address() as AddressInfo;
	return { url: `https://other.test:${port}/`, handshakes: () => handshakes };
}

/** A self-signed certificate for other.test, trusted by nobody. */
function selfSigned(): Promise<TlsMaterial> {
	return createSelfSignedCertificate({ dnsNames: ['other.test'] });
}

async function federationGet(t: ExecutionContext, yaml: string, url: string): Promise<string> {
	const stack = await client(t, configFrom({}, ALLOW_LOOPBACK + yaml));
	return stack.client('federation').get(url).text();
}

test('a self-signed federation certificate is refused without the whitelist', async (t) => {
	const server = await tlsServer(t, await selfSigned());
	const error = await t.throwsAsync(federationGet(t, '', server.url));
	t.true(isOutboundHttpError(error, 'ERR_DESTINATION_TLS'), String(error));
	t.regex(error?.message ?? '', /federation_certificate_verification_whitelist/);
});

test('a self-signed federation certificate is accepted for a name the whitelist matches (Synapse glob)', async (t) => {
	const server = await tlsServer(t, await selfSigned());
	t.is(
		await federationGet(
			t,
			'federation_certificate_verification_whitelist: ["lon.example.com", "*.TEST"]\n',
			server.url,
		),
		'ok',
	);
	t.is(server.handshakes(), 1);
});

test('the whitelist skips nothing for names it does not match', async (t) => {
	const server = await tlsServer(t, await selfSigned());
	const error = await t.throwsAsync(
		federationGet(
			t,
			'federation_certificate_verification_whitelist: ["other.test.example", "*.onion"]\n',
			server.url,
		),
	);
	t.true(isOutboundHttpError(error, 'ERR_DESTINATION_TLS'), String(error));
});

test('the whitelist is for federation only: other purposes still verify', async (t) => {
	const server = await tlsServer(t, await selfSigned());
	const stack = await client(
		t,
		configFrom({}, `${ALLOW_LOOPBACK}federation_certificate_verification_whitelist: ["other.test"]\n`),
	);
	const error = await t.throwsAsync(stack.client('push').get(server.url).text());
	t.true(isOutboundHttpError(error, 'ERR_DESTINATION_TLS'), String(error));
});

test('a whitelisted name does not share pooled connections with verified ones', async (t) => {
	const { destination } = await testPki();
	const server = await tlsServer(t, destination);
	const stack = await client(
		t,
		configFrom({}, `${ALLOW_LOOPBACK}federation_certificate_verification_whitelist: ["other.test"]\n`),
	);
	const federation = stack.client('federation');
	t.is(await federation.get(server.url).text(), 'ok');
	// Same server, a verified name: a new handshake (its own pool entry), not the whitelisted socket.
	t.is(await federation.get(server.url.replace('other.test', 'test.com')).text(), 'ok');
	t.is(server.handshakes(), 2);
});

test('federation_client_minimum_tls_version 1.3 refuses a server that speaks TLS 1.2 at most', async (t) => {
	const { destination } = await testPki();
	const server = await tlsServer(t, destination, 'TLSv1.2');
	const error = await t.throwsAsync(
		federationGet(t, 'federation_client_minimum_tls_version: "1.3"\n', server.url),
	);
	t.true(isOutboundHttpError(error, 'ERR_DESTINATION_TLS'), String(error));
	t.is(server.handshakes(), 0);
});

test('the same TLS 1.2 server is reached with the default minimum and with 1.2', async (t) => {
	const { destination } = await testPki();
	const server = await tlsServer(t, destination, 'TLSv1.2');
	t.is(await federationGet(t, '', server.url), 'ok');
	t.is(await federationGet(t, 'federation_client_minimum_tls_version: 1.2\n', server.url), 'ok');
});

test('the minimum TLS version is the higher of Node’s and the configured one', (t) => {
	t.is(effectiveMinVersion('TLSv1', 'TLSv1.2'), 'TLSv1.2');
	t.is(effectiveMinVersion('TLSv1.1', 'TLSv1.2'), 'TLSv1.2');
	t.is(effectiveMinVersion('TLSv1.2', 'TLSv1.2'), 'TLSv1.2');
	t.is(effectiveMinVersion('TLSv1.3', 'TLSv1.2'), 'TLSv1.3');
	t.is(effectiveMinVersion('TLSv1.1', 'TLSv1'), 'TLSv1.1');
});

const globs: [patterns: string[], name: string, matches: boolean][] = [
	[['lon.example.com'], 'lon.example.com', true],
	[['lon.example.com'], 'LON.Example.com', true],
	[['lon.example.com'], 'xlon.example.com', false],
	[['lon.example.com'], 'lon.example.com.evil.test', false],
	[['lon.example.com'], 'lonxexample.com', false],
	[['*.domain.com'], 'a.domain.com', true],
	[['*.domain.com'], 'a.b.domain.com', true],
	[['*.domain.com'], 'domain.com', false],
	[['*.onion'], 'abcdef.onion', true],
	[['*'], 'anything.example', true],
	[['server?.example'], 'server1.example', true],
	[['server?.example'], 'server12.example', false],
	[['??*.example'], 'ab.example', true],
	[['??*.example'], 'a.example', false],
	[['a+b.example'], 'aab.example', false],
	[['a+b.example'], 'a+b.example', true],
	[['one.example', '*.two.example'], 'x.two.example', true],
	[[], 'anything.example', false],
];
for (const [patterns, name, matches] of globs) {
	test(`whitelist ${JSON.stringify(patterns)} ${matches ? 'matches' : 'does not match'} ${name}`, (t) => {
		t.is(compileCertificateWhitelist(patterns)(name), matches);
	});
}
