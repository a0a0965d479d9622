/**
 * Ours: a got client of `@homeserver/outbound-http` for a purpose, configured the way an operator would
 * (proxy variables, plus YAML for the CA), used the way an app uses it: the promise API, and the stream API.
 */
import type { Purpose } from '@homeserver/config';
import { loadConfig } from '@homeserver/config';
import { createOutboundHttp } from '@homeserver/outbound-http';
import type { OutboundHttp } from '@homeserver/outbound-http';
import { checkResponse, proxyUrl } from './contender.js';
import type { ContenderSetup, HttpContender } from './contender.js';

function stackFor(setup: ContenderSetup): OutboundHttp {
	const proxy = proxyUrl(setup.proxy);
	const cfg = loadConfig({
		env: { https_proxy: proxy, http_proxy: proxy },
		yamlText: `federation_custom_ca_list: [${JSON.stringify(setup.caFile)}]\n`,
	});
	return createOutboundHttp(cfg);
}

/**
 * Our client for `purpose` (`federation` for https: it verifies against `federation_custom_ca_list`), through
 * got's stream API, the way this repository's federation client and media-fetcher make their requests: got's
 * promise layer (retries, `PCancelable`, body parsing) is not on this path.
 */
export function oursStreamContender(setup: ContenderSetup, purpose: Purpose): HttpContender {
	const http = stackFor(setup);
	const client = http.client(purpose);
	return {
		get(url) {
			return new Promise((resolve, reject) => {
				const stream = client.stream(url);
				let status: number | undefined;
				let bytes = 0;
				stream.once('response', (response: { statusCode: number }) => (status = response.statusCode));
				stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
				stream.once('error', reject);
				stream.once('end', () => {
					try {
						checkResponse(status, bytes, setup.expectedBytes);
						resolve();
					} catch (error) {
						reject(error instanceof Error ? error : new Error(String(error)));
					}
				});
			});
		},
		close() {
			http.close();
			return Promise.resolve();
		},
	};
}

/** Our client for `purpose` through got's promise API (`client.get(url)`), as an application would call it. */
export function oursContender(setup: ContenderSetup, purpose: Purpose): HttpContender {
	const http = stackFor(setup);
	const client = http.client(purpose);
	return {
		async get(url) {
			const res = await client.get(url);
			checkResponse(res.statusCode, res.rawBody.length, setup.expectedBytes);
		},
		close() {
			http.close();
			return Promise.resolve();
		},
	};
}
