/**
 * The limit for federation sends: signed `PUT /_matrix/federation/v1/send/{txnId}` with node:https over an
 * hpagent `HttpsProxyAgent` with keep-alive (one pooled tunnel per destination), signing each request with
 * `@homeserver/federation` (canonical JSON, ed25519, X-Matrix). No outbox, no retries, no routing.
 */
import { request } from 'node:https';
import { buildXMatrixAuthorization, canonicalJson } from '@homeserver/federation';
import type { SigningKey } from '@homeserver/federation';
import { HttpsProxyAgent } from 'hpagent';
import { proxyUrl } from './contender.js';
import type { ProxyTarget } from './contender.js';

/** Sends one transaction; resolves on 200, rejects otherwise. */
export type SendSigned = (destination: string, txnId: string, body: Record<string, unknown>) => Promise<void>;

/** A raw federation sender and its pool. */
export interface RawFederation {
	readonly send: SendSigned;
	close(): void;
}

/** Builds the raw sender for `origin`, signing with `key`, trusting `caPem` for destinations. */
export function rawFederation(
	proxy: ProxyTarget,
	caPem: string,
	origin: string,
	key: SigningKey,
): RawFederation {
	const agent = new HttpsProxyAgent({ proxy: proxyUrl(proxy), keepAlive: true, ca: caPem });
	const send: SendSigned = (destination, txnId, body) =>
		new Promise((resolve, reject) => {
			const uri = `/_matrix/federation/v1/send/${encodeURIComponent(txnId)}`;
			const json = canonicalJson(body);
			const authorization = buildXMatrixAuthorization({
				method: 'PUT',
				uri,
				origin,
				destination,
				content: body,
				key,
			});
			const colon = destination.lastIndexOf(':');
			const req = request(
				{
					host: destination.slice(0, colon),
					port: Number(destination.slice(colon + 1)),
					path: uri,
					method: 'PUT',
					agent,
					headers: {
						authorization,
						'content-type': 'application/json',
						'content-length': Buffer.byteLength(json),
					},
				},
				(res) => {
					res.resume();
					res.on('end', () =>
						res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`)),
					);
					res.on('error', reject);
				},
			);
			req.on('error', reject);
			req.end(json);
		});
	return { send, close: () => agent.destroy() };
}
