/**
 * `proxy-agent` 8 (TooTallNate) with node:http/https, given an explicit `getProxyForUrl` and keep-alive:
 * CONNECT for https targets, absolute-form for http targets.
 */
import { get as httpGet } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { ProxyAgent } from 'proxy-agent';
import { describeError } from '../lib/load.js';
import { proxyUrl, readNodeResponse } from './contender.js';
import type { ContenderSetup, HttpContender } from './contender.js';

/**
 * `proxy-agent`'s ProxyAgent. With `keepAlive` its plain-http requests on a reused socket go out in origin-form
 * (`GET /path`, no credentials) and the proxy answers 400, so the scenario checks that and measures http without it.
 */
export function proxyAgentContender(setup: ContenderSetup, keepAlive = true): HttpContender {
	const proxy = proxyUrl(setup.proxy);
	const agent = new ProxyAgent({ getProxyForUrl: () => proxy, keepAlive });
	return {
		get(url) {
			return new Promise((resolve, reject) => {
				const onResponse = (res: IncomingMessage): void => {
					readNodeResponse(res, setup.expectedBytes).then(resolve, reject);
				};
				const req = url.startsWith('https:')
					? httpsGet(url, { agent, ca: setup.caPem }, onResponse)
					: httpGet(url, { agent }, onResponse);
				req.on('error', reject);
			});
		},
		close() {
			agent.destroy();
			return Promise.resolve();
		},
	};
}

/**
 * Whether proxy-agent with keep-alive gets plain-http requests through: four sequential GETs on one agent. Returns
 * a note when some fail (then http is measured with keep-alive off, which works).
 */
export async function proxyAgentHttpKeepAlive(
	setup: ContenderSetup,
	url: string,
): Promise<string | undefined> {
	const c = proxyAgentContender(setup, true);
	const failures: string[] = [];
	for (let i = 0; i < 4; i++) await c.get(url).catch((e: unknown) => failures.push(describeError(e)));
	await c.close();
	if (failures.length === 0) return undefined;
	return (
		`proxy-agent with \`keepAlive: true\`: ${failures.length} of 4 sequential plain-http GETs failed (${failures[0]}): ` +
		'on a reused socket it sends the request line in origin-form (`GET /1k`, no `Proxy-Authorization`) and Squid ' +
		'answers 400. Its plain-http figures below are with `keepAlive: false` (a new connection per request).'
	);
}
