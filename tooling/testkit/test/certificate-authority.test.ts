import { connect } from 'node:tls';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import test from 'ava';
import { createCertificateAuthority, forbidRealDns, startHttpsServer } from '../src/index.js';
import type { DestinationServer } from '../src/index.js';

// Safety net: any real DNS use in this file fails loudly (everything here is loopback).
forbidRealDns();

function handshake(server: DestinationServer, servername: string | undefined, ca: string): Promise<string> {
	return new Promise((resolve) => {
		const socket = connect(
			{ host: server.host, port: server.port, ca, ...(servername ? { servername } : {}) },
			() => {
				socket.destroy();
				resolve('authorized');
			},
		);
		socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
	});
}

test('a leaf certificate is trusted through its CA for each DNS name and IP address it lists', async (t) => {
	const ca = await createCertificateAuthority({ name: 'Unit CA' });
	const leaf = await ca.issue({ dnsNames: ['test.com', '*.wild.test'], ipAddresses: ['127.0.0.1', '::1'] });
	const server = await startHttpsServer(leaf);
	t.teardown(() => server.close());
	t.is(await handshake(server, 'test.com', ca.certPem), 'authorized');
	t.is(await handshake(server, 'a.wild.test', ca.certPem), 'authorized');
	t.is(
		await handshake(server, undefined, ca.certPem),
		'authorized',
		'IP SAN 127.0.0.1 matches the IP-literal host',
	);
	t.is(await handshake(server, 'other.test', ca.certPem), 'ERR_TLS_CERT_ALTNAME_INVALID');
});

test('a certificate from another run CA is rejected', async (t) => {
	const [ca, stranger] = await Promise.all([createCertificateAuthority(), createCertificateAuthority()]);
	const server = await startHttpsServer(await ca.issue({ dnsNames: ['test.com'] }));
	t.teardown(() => server.close());
	t.is(await handshake(server, 'test.com', stranger.certPem), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
});

test('the CA is a CA and leaves carry the requested subjectAltNames', async (t) => {
	const ca = await createCertificateAuthority();
	const leaf = await ca.issue({ dnsNames: ['Proxy.Test'], ipAddresses: ['::1'] });
	const caCert = new X509Certificate(ca.certPem);
	const leafCert = new X509Certificate(leaf.certPem);
	t.true(caCert.ca);
	t.false(leafCert.ca);
	t.true(leafCert.verify(caCert.publicKey));
	t.is(leafCert.subjectAltName, 'DNS:proxy.test, IP Address:0:0:0:0:0:0:0:1');
	t.true(leafCert.checkPrivateKey(createPrivateKey(leaf.keyPem)));
});

test('issuing refuses malformed names and empty requests', async (t) => {
	const ca = await createCertificateAuthority();
	await t.throwsAsync(ca.issue({}), { code: 'ERR_TESTKIT_INVALID_OPTION' });
	await t.throwsAsync(ca.issue({ dnsNames: ['bad name'] }), { code: 'ERR_TESTKIT_INVALID_OPTION' });
	await t.throwsAsync(ca.issue({ ipAddresses: ['300.1.1.1'] }), { code: 'ERR_TESTKIT_INVALID_OPTION' });
});
