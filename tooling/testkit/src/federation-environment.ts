/**
 * The end-to-end set-up the apps' tests and the benchmarks share: a temporary directory holding a test CA
 * (`ca.pem`) and an ed25519 signing key in Synapse's key file format (`signing.key`), the testkit's remote
 * homeserver (TLS from that CA, trusting that key for our origin) and a real Squid that maps the remote's name,
 * and any other names given, to loopback. The configuration lines that point a homeserver at all of it come
 * with it ({@link FederationEnvironment.yamlLines}); the caller adds its own section. Squid must be installed
 * (check with `requireSquid` first). No real DNS anywhere.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority } from './certificate-authority.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { startRemoteHomeserver } from './remote-homeserver/index.js';
import type { RemoteHomeserver } from './remote-homeserver/index.js';
import { startSquid } from './squid.js';
import type { SquidProxy } from './squid.js';

/** Options of {@link startFederationEnvironment}. */
export interface FederationEnvironmentOptions {
	/** Our server name: the X-Matrix origin the remote trusts. */
	readonly origin: string;
	/** The remote's host name (its certificate's name, mapped to loopback by Squid), e.g. `remote.test`. */
	readonly remoteHost: string;
	/**
	 * Whether the remote's server name carries its port (`remote.test:PORT`: no `.well-known`, no SRV). Default
	 * false: the server name is {@link remoteHost} and callers find the port through an injected SRV answer.
	 */
	readonly remoteNameWithPort?: boolean;
	/** More names Squid maps to loopback (e.g. a CDN's), name → loopback address. */
	readonly extraHosts?: Readonly<Record<string, string>>;
	/** The signing key's version (`ed25519:<version>`); default `a_test`. */
	readonly keyVersion?: string;
	/** Prefix of the temporary directory's name. */
	readonly dirPrefix?: string;
}

/** What {@link startFederationEnvironment} started; {@link close} stops it all and removes the directory. */
export interface FederationEnvironment {
	/** The temporary directory (`signing.key`, `ca.pem`; the caller may add its own files). */
	readonly dir: string;
	readonly ca: CertificateAuthority;
	/** Our signing key's id and public key, as the remote trusts them (the seed is only in `signing.key`). */
	readonly signingKey: { readonly keyId: string; readonly publicKeyBase64: string };
	readonly remote: RemoteHomeserver;
	/** The remote's server name (with its port when `remoteNameWithPort`). */
	readonly serverName: string;
	readonly squid: SquidProxy;
	/** `server_name`, `signing_key_path`, `https_proxy` (this Squid) and `federation_custom_ca_list` lines. */
	readonly yamlLines: readonly string[];
	/** Stops the remote and Squid and removes the directory (in the reverse order of their start). */
	close(): Promise<void>;
}

function unpaddedBase64(bytes: Buffer): string {
	return bytes.toString('base64').replace(/=+$/, '');
}

/** A fresh ed25519 key as Synapse's key file line, with its id and public key (no dependency on the code tested). */
function newSigningKey(version: string): { keyFile: string; keyId: string; publicKeyBase64: string } {
	const { privateKey, publicKey } = generateKeyPairSync('ed25519');
	// The seed and the raw public key are the last 32 bytes of their DER forms.
	const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
	const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
	return {
		keyFile: `ed25519 ${version} ${unpaddedBase64(seed)}\n`,
		keyId: `ed25519:${version}`,
		publicKeyBase64: unpaddedBase64(raw),
	};
}

/** Starts the environment; on a failure, whatever was started is stopped again before the error is thrown. */
export async function startFederationEnvironment(
	options: FederationEnvironmentOptions,
): Promise<FederationEnvironment> {
	const dir = await mkdtemp(join(tmpdir(), options.dirPrefix ?? 'testkit-federation-'));
	const cleanups: (() => unknown)[] = [() => rm(dir, { recursive: true, force: true })];
	const close = async (): Promise<void> => {
		for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
	};
	try {
		const ca = await createCertificateAuthority();
		const key = newSigningKey(options.keyVersion ?? 'a_test');
		await writeFile(join(dir, 'signing.key'), key.keyFile, { mode: 0o600 });
		await writeFile(join(dir, 'ca.pem'), ca.certPem);
		const signingKey = { keyId: key.keyId, publicKeyBase64: key.publicKeyBase64 };
		const host = options.remoteHost;
		const remote = await startRemoteHomeserver({
			serverName: options.remoteNameWithPort === true ? (port) => `${host}:${port}` : host,
			tls: await ca.issue({ dnsNames: [host] }),
			keys: { [options.origin]: signingKey },
		});
		cleanups.push(() => remote.close());
		const squid = await startSquid({ hosts: { [host]: '127.0.0.1', ...options.extraHosts } });
		cleanups.push(() => squid.close());
		const yamlLines = [
			`server_name: ${options.origin}`,
			'signing_key_path: signing.key',
			`https_proxy: ${squid.url}`,
			'federation_custom_ca_list: [ca.pem]',
		];
		return { dir, ca, signingKey, remote, serverName: remote.serverName, squid, yamlLines, close };
	} catch (error) {
		await close();
		throw error;
	}
}
