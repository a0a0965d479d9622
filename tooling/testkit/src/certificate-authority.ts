import { KeyObject, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';
import { TestkitError } from './errors.js';

/** A PEM certificate and its PEM (PKCS#8) private key: what `tls.createServer`/`https.createServer` take. */
export interface TlsMaterial {
	readonly certPem: string;
	readonly keyPem: string;
}

/** The names a leaf certificate is valid for (its subjectAltName entries). */
export interface LeafCertificateRequest {
	/** DNS names, e.g. `['proxy.test', 'localhost']`; a `*.` wildcard is allowed as the first label. */
	readonly dnsNames?: readonly string[];
	/** IP addresses, IPv4 or IPv6 (no brackets), e.g. `['127.0.0.1', '::1']`. */
	readonly ipAddresses?: readonly string[];
}

/** A throw-away certificate authority: trust {@link certPem} (`ca:` option) and issue leaf certificates with it. */
export interface CertificateAuthority extends TlsMaterial {
	/** Issues a server+client leaf certificate signed by this CA, with the given subjectAltNames. */
	issue(request: LeafCertificateRequest): Promise<TlsMaterial>;
}

/** Options of {@link createCertificateAuthority}. */
export interface CertificateAuthorityOptions {
	/** Common name of the CA, shown in certificate errors. Default `Testkit CA <random>`. */
	readonly name?: string;
}

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const hour = 3_600_000;
const dnsName = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
	return webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
}

function privateKeyPem(key: webcrypto.CryptoKey): string {
	return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** A positive random serial number (the top bit cleared keeps the DER INTEGER positive). */
function serialNumber(): string {
	const bytes = randomBytes(16);
	bytes[0] = (bytes[0] ?? 0) & 0x7f;
	return bytes.toString('hex');
}

/** Quotes nothing: names are validated to plain labels first, so they cannot inject RDN syntax. */
function commonName(name: string): string {
	if (!/^[\w .-]{1,64}$/.test(name)) {
		throw new TestkitError(
			'ERR_TESTKIT_INVALID_OPTION',
			`invalid certificate authority name ${JSON.stringify(name)}`,
		);
	}
	return `CN=${name}`;
}

function subjectAltNames(request: LeafCertificateRequest): x509.JsonGeneralName[] {
	const names: x509.JsonGeneralName[] = [];
	for (const name of request.dnsNames ?? []) {
		if (!dnsName.test(name)) {
			throw new TestkitError(
				'ERR_TESTKIT_INVALID_OPTION',
				`invalid DNS name ${JSON.stringify(name)} for a certificate`,
			);
		}
		names.push({ type: 'dns', value: name.toLowerCase() });
	}
	for (const address of request.ipAddresses ?? []) {
		if (isIP(address) === 0) {
			throw new TestkitError(
				'ERR_TESTKIT_INVALID_OPTION',
				`invalid IP address ${JSON.stringify(address)} for a certificate`,
			);
		}
		names.push({ type: 'ip', value: address });
	}
	if (names.length === 0) {
		throw new TestkitError(
			'ERR_TESTKIT_INVALID_OPTION',
			'a leaf certificate needs at least one DNS name or IP address',
		);
	}
	return names;
}

/**
 * Creates a fresh certificate authority for one test run: an EC P-256 key pair and a self-signed CA certificate,
 * valid from an hour ago (clock skew) for two days. Nothing is written to disk and nothing is trusted globally:
 * tests pass {@link CertificateAuthority.certPem} explicitly as `ca`, so they also prove that certificate
 * verification is really on. Issuing a leaf certificate takes a few milliseconds.
 */
export async function createCertificateAuthority(
	options: CertificateAuthorityOptions = {},
): Promise<CertificateAuthority> {
	const name = commonName(options.name ?? `Testkit CA ${randomBytes(4).toString('hex')}`);
	const now = Date.now();
	const notBefore = new Date(now - hour);
	const notAfter = new Date(now + 48 * hour);
	const caKeys = await generateKeys();
	const caCertificate = await x509.X509CertificateGenerator.createSelfSigned({
		serialNumber: serialNumber(),
		name,
		notBefore,
		notAfter,
		keys: caKeys,
		signingAlgorithm: algorithm,
		extensions: [
			new x509.BasicConstraintsExtension(true, 0, true),
			new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
			await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
		],
	});
	const authorityKeyIdentifier = await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey);

	async function issue(request: LeafCertificateRequest): Promise<TlsMaterial> {
		const altNames = subjectAltNames(request);
		const keys = await generateKeys();
		const first = altNames[0]?.value ?? 'leaf';
		const certificate = await x509.X509CertificateGenerator.create({
			serialNumber: serialNumber(),
			subject: commonName(first.replace(/[^\w.-]/g, '_').slice(0, 64)),
			issuer: caCertificate.subject,
			notBefore,
			notAfter,
			publicKey: keys.publicKey,
			signingKey: caKeys.privateKey,
			signingAlgorithm: algorithm,
			extensions: [
				new x509.BasicConstraintsExtension(false, undefined, true),
				new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
				new x509.ExtendedKeyUsageExtension([
					x509.ExtendedKeyUsage.serverAuth,
					x509.ExtendedKeyUsage.clientAuth,
				]),
				new x509.SubjectAlternativeNameExtension(altNames),
				await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
				authorityKeyIdentifier,
			],
		});
		return { certPem: certificate.toString('pem'), keyPem: privateKeyPem(keys.privateKey) };
	}

	return { certPem: caCertificate.toString('pem'), keyPem: privateKeyPem(caKeys.privateKey), issue };
}

/**
 * A self-signed server certificate for the given names (no CA behind it): what a peer with a home-made certificate
 * presents. A client verifying certificates refuses it ("self-signed certificate"); one told to skip the check
 * accepts it.
 */
export async function createSelfSignedCertificate(request: LeafCertificateRequest): Promise<TlsMaterial> {
	const altNames = subjectAltNames(request);
	const keys = await generateKeys();
	const now = Date.now();
	const certificate = await x509.X509CertificateGenerator.createSelfSigned({
		serialNumber: serialNumber(),
		name: commonName((altNames[0]?.value ?? 'self-signed').replace(/[^\w.-]/g, '_').slice(0, 64)),
		notBefore: new Date(now - hour),
		notAfter: new Date(now + 48 * hour),
		keys,
		signingAlgorithm: algorithm,
		extensions: [
			new x509.BasicConstraintsExtension(false, undefined, true),
			new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
			new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
			new x509.SubjectAlternativeNameExtension(altNames),
		],
	});
	return { certPem: certificate.toString('pem'), keyPem: privateKeyPem(keys.privateKey) };
}
