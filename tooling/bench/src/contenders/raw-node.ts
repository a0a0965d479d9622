/**
 * The limit for Node: node:https over an hpagent `HttpsProxyAgent` with keep-alive (CONNECT tunnels,
 * pooled), and for plain http node:http straight to the proxy in absolute-form on a keep-alive agent.
 * No client library in between.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { HttpsProxyAgent } from 'hpagent';
import { proxyAuthorization, proxyUrl, readNodeResponse } from './contender.js';
import type { ContenderSetup, HttpContender } from './contender.js';

/** Raw node:http(s) over keep-alive agents. */
export function rawNodeContender(setup: ContenderSetup): HttpContender {
	const tunnel = new HttpsProxyAgent({ proxy: proxyUrl(setup.proxy), keepAlive: true, ca: setup.caPem });
	const toProxy = new HttpAgent({ keepAlive: true });
	const auth = proxyAuthorization(setup.proxy);
	return {
		get(url) {
			return new Promise((resolve, reject) => {
				const onResponse = (res: IncomingMessage): void => {
					readNodeResponse(res, setup.expectedBytes).then(resolve, reject);
				};
				let req;
				if (url.startsWith('https:')) {
					req = httpsGet(url, { agent: tunnel }, onResponse);
				} else {
					const host = url.slice('http://'.length).split('/', 1)[0]!;
					req = httpRequest(
						{
							host: setup.proxy.host,
							port: setup.proxy.port,
							path: url,
							agent: toProxy,
							headers: { host, 'proxy-authorization': auth },
						},
						onResponse,
					);
					req.end();
				}
				req.on('error', reject);
			});
		},
		close() {
			tunnel.destroy();
			toProxy.destroy();
			return Promise.resolve();
		},
	};
}
