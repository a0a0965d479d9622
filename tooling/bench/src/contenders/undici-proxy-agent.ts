/**
 * undici 7 `ProxyAgent` with `request()`: CONNECT tunnels for https (its default), and its non-tunnel
 * (absolute-form) mode for plain http, which is what a user of undici would pick.
 */
import { ProxyAgent, request } from 'undici';
import { checkResponse, proxyUrl } from './contender.js';
import type { ContenderSetup, HttpContender } from './contender.js';

/** undici `ProxyAgent`; `tunnel: false` for absolute-form plain-http requests. */
export function undiciContender(setup: ContenderSetup, tunnel: boolean): HttpContender {
	const dispatcher = new ProxyAgent({
		uri: proxyUrl(setup.proxy),
		proxyTunnel: tunnel,
		requestTls: { ca: setup.caPem },
	});
	return {
		async get(url) {
			const { statusCode, body } = await request(url, { dispatcher });
			const bytes = (await body.arrayBuffer()).byteLength;
			checkResponse(statusCode, bytes, setup.expectedBytes);
		},
		close: () => dispatcher.destroy(),
	};
}
