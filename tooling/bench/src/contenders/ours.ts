/**
 * Ours: a got client of `@homeserver/outbound-http` for a purpose, configured the way an operator would
 * (proxy variables, plus YAML for the CA), used the way an app uses it.
 */
import type { Purpose } from '@homeserver/config';
import { loadConfig } from '@homeserver/config';
import { createOutboundHttp } from '@homeserver/outbound-http';
import { checkResponse, proxyUrl } from './contender.js';
import type { ContenderSetup, HttpContender } from './contender.js';

/** Our client for `purpose` (`federation` for https: it verifies against `federation_custom_ca_list`). */
export function oursContender(setup: ContenderSetup, purpose: Purpose): HttpContender {
	const proxy = proxyUrl(setup.proxy);
	const cfg = loadConfig({
		env: { https_proxy: proxy, http_proxy: proxy },
		yamlText: `federation_custom_ca_list: [${JSON.stringify(setup.caFile)}]\n`,
	});
	const http = createOutboundHttp(cfg);
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
