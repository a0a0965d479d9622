/**
 * The other side of the devnet's federation: the testkit's remote homeserver (TLS with a certificate from the run's
 * CA, verifying every X-Matrix signature with its own code) as `localhost:<port>`, the media it serves, and a plain
 * http "CDN" for the `Location` form of media answers.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { startHttpServer, startRemoteHomeserver } from '@homeserver/testkit';
import type { DestinationServer, RemoteHomeserver, TlsMaterial, TrustedKey } from '@homeserver/testkit';

/** A media file the remote holds, and what a correct download must produce. */
export interface PeerMedia {
	readonly mediaId: string;
	readonly bytes: Buffer;
	readonly sha256: string;
	readonly contentType: string;
}

/** The running remote side. */
export interface RemotePeer {
	/** `localhost:<port>`: an explicit port, so no `.well-known` or SRV lookup is needed to reach it. */
	readonly serverName: string;
	readonly port: number;
	readonly homeserver: RemoteHomeserver;
	readonly cdn: DestinationServer;
	/** The port of `http://localhost:<port>/`, the CDN's address in `Location` answers. */
	readonly cdnPort: number;
	/** Served inline in the multipart answer (fetched through a CONNECT tunnel). */
	readonly inlineMedia: PeerMedia;
	/** Served as a `Location` to the CDN (fetched through the proxy as an absolute-form http request). */
	readonly cdnMedia: PeerMedia;
	/** A `Location` pointing at the cloud metadata address: must be refused, never fetched. */
	readonly ssrfMedia: { readonly mediaId: string; readonly location: string };
	/** Writes the remote's request log (method, path, SNI, signature result, status: no headers) as JSON lines. */
	saveLog(file: string): Promise<void>;
	close(): Promise<void>;
}

/** Options of {@link startRemotePeer}. */
export interface RemotePeerOptions {
	readonly tls: TlsMaterial;
	/** Our server name and signing key, which the remote trusts. */
	readonly origin: string;
	readonly originKey: TrustedKey;
}

function media(mediaId: string, size: number, contentType: string): PeerMedia {
	const bytes = randomBytes(size);
	return { mediaId, bytes, sha256: createHash('sha256').update(bytes).digest('hex'), contentType };
}

/** The cloud metadata endpoint: the classic SSRF target. */
export const SSRF_LOCATION = 'http://169.254.169.254/latest/meta-data/iam/security-credentials/';

/** Starts the remote homeserver, its CDN and the media it serves. */
export async function startRemotePeer(options: RemotePeerOptions): Promise<RemotePeer> {
	const inlineMedia = media('devnet_inline', 192 * 1024, 'application/octet-stream');
	const cdnMedia = media('devnet_cdn', 48 * 1024, 'image/png');
	const cdnPath = `/media/${cdnMedia.mediaId}`;
	const cdn = await startHttpServer((request, response) => {
		if (request.url !== cdnPath) {
			response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
			return;
		}
		response.writeHead(200, {
			'content-type': cdnMedia.contentType,
			'content-length': cdnMedia.bytes.length,
		});
		response.end(cdnMedia.bytes);
	});
	let remote: RemoteHomeserver;
	try {
		// Both listen on 127.0.0.1, where both proxies (Squid's hosts file, the in-process proxy) send `localhost`.
		remote = await startRemoteHomeserver({
			serverName: (port) => `localhost:${port}`,
			tls: options.tls,
			keys: { [options.origin]: options.originKey },
		});
	} catch (error) {
		await cdn.close();
		throw error;
	}
	const serverName = remote.serverName;
	remote.media.add(inlineMedia.mediaId, {
		bytes: inlineMedia.bytes,
		contentType: inlineMedia.contentType,
		fileName: 'devnet.bin',
	});
	remote.media.addRedirect(cdnMedia.mediaId, `http://localhost:${cdn.port}${cdnPath}`);
	const ssrfMedia = { mediaId: 'devnet_ssrf', location: SSRF_LOCATION };
	remote.media.addRedirect(ssrfMedia.mediaId, ssrfMedia.location);
	// An unauthenticated federation endpoint (server keys), for the no_proxy bypass.
	remote.handle('GET', '/_matrix/key/v2/server', () => ({
		body: {
			server_name: serverName,
			valid_until_ts: Date.now() + 3_600_000,
			verify_keys: {},
			old_verify_keys: {},
		},
	}));
	return {
		serverName,
		port: remote.port,
		homeserver: remote,
		cdn,
		cdnPort: cdn.port,
		inlineMedia,
		cdnMedia,
		ssrfMedia,
		saveLog: async (file) => {
			const lines = remote.requests.map((request) =>
				JSON.stringify({
					method: request.method,
					url: request.url,
					sni: request.servername ?? null,
					connection: request.connection,
					authorization: request.authorization,
					origin: request.origin ?? null,
					rejection: request.rejection ?? null,
					status: request.status ?? null,
				}),
			);
			await writeFile(file, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
		},
		close: async () => {
			await Promise.all([remote.close(), cdn.close()]);
		},
	};
}
