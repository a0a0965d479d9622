import { generateSigningKey } from '@homeserver/federation';
import { oursFederation } from './contenders/ours-federation.js';
import { withCleanup } from './lib/cleanup.js';
import { destinations, samplePdu } from './lib/federation-fixture.js';
import { startBenchSquid, PROXY_USER, PROXY_PASSWORD } from './lib/squid.js';
import { tempDir } from './lib/temp-dir.js';
import { startOrigin } from './servers/origin.js';
await withCleanup(async (cleanup) => {
	const count = 200;
	const origin = await startOrigin(cleanup, { https: 1, http: 0 }, ['*.bench.test']);
	const squid = await startBenchSquid(cleanup, {
		hosts: Object.fromEntries(destinations(count, 0).map((d) => [d.split(':')[0]!, '127.0.0.1'])),
		maxFileDescriptors: 4096,
	});
	const ours = await oursFederation(
		await tempDir(cleanup),
		{ host: squid.host, port: squid.port, username: PROXY_USER, password: PROXY_PASSWORD },
		origin.caFile,
		'sender.bench.test',
		generateSigningKey('a'),
	);
	const dests = destinations(count, origin.httpsPorts[0]!);
	console.log('fanout', await ours.round(dests, samplePdu('sender.bench.test', 0), 60000));
	for (let i = 1; i < 6; i++)
		console.log(
			'steady',
			Math.round((count * 1000) / (await ours.round(dests, samplePdu('sender.bench.test', i), 60000))),
		);
	await ours.close();
});
process.exit(0);
