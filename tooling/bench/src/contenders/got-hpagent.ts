/**
 * got 14 with bare hpagent agents, the way hpagent's README shows it: options passed on every call. The
 * naive baseline a user starts from. hpagent's http agent uses CONNECT for plain http too.
 */
import got from 'got';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { checkResponse, proxyUrl } from './contender.js';
import type { ContenderSetup, HttpContender } from './contender.js';

/** got + hpagent, options per request. */
export function gotHpagentContender(setup: ContenderSetup): HttpContender {
	const common = {
		keepAlive: true,
		keepAliveMsecs: 1000,
		maxSockets: 256,
		maxFreeSockets: 256,
		scheduling: 'lifo' as const,
		proxy: proxyUrl(setup.proxy),
	};
	const agent = { http: new HttpProxyAgent(common), https: new HttpsProxyAgent(common) };
	return {
		async get(url) {
			const res = await got(url, { agent, https: { certificateAuthority: setup.caPem } });
			checkResponse(res.statusCode, res.rawBody.length, setup.expectedBytes);
		},
		close() {
			agent.http.destroy();
			agent.https.destroy();
			return Promise.resolve();
		},
	};
}
