import { withCleanup } from './lib/cleanup.js';
import { startOrigin } from './servers/origin.js';
import { startBenchSquid, PROXY_USER, PROXY_PASSWORD } from './lib/squid.js';
import { oursContender } from './contenders/ours.js';
import { rawNodeContender } from './contenders/raw-node.js';
import { closedLoop } from './lib/load.js';
const which = process.argv[2]!;
const scheme = process.argv[3] as 'https' | 'http';
await withCleanup(async (cleanup) => {
	const origin = await startOrigin(cleanup, { https: 1, http: 1 });
	const squid = await startBenchSquid(cleanup, { hosts: { [origin.hostName]: '127.0.0.1' } });
	const setup = {
		proxy: { host: squid.host, port: squid.port, username: PROXY_USER, password: PROXY_PASSWORD },
		caPem: origin.caPem,
		caFile: origin.caFile,
		expectedBytes: 1024,
	};
	const c =
		which === 'ours'
			? oursContender(setup, scheme === 'https' ? 'federation' : 'push')
			: rawNodeContender(setup);
	const url =
		scheme === 'https'
			? `https://${origin.hostName}:${origin.httpsPorts[0]}/1k`
			: `http://${origin.hostName}:${origin.httpPorts[0]}/1k`;
	await closedLoop(() => c.get(url), { concurrency: 1, maxOps: 500, maxMs: 3000 });
	const r = await closedLoop(() => c.get(url), { concurrency: 1, maxOps: 6000, maxMs: 3000 });
	console.log(which, scheme, Math.round(r.rate), r.errors);
	await c.close();
});
process.exit(0);
