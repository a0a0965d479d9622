// outbound_proxy_rules against two real Squids: destinations matching a rule go through the second one, everything
// else through the first (https_proxy / http_proxy); each Squid's access log shows what it carried.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { forbidRealDns, requireSquid, startSquid } from '@homeserver/testkit';
import type { SquidOptions, SquidProxy } from '@homeserver/testkit';
import { routeDecisionToJson } from '../src/index.js';
import { client, destinations } from './helpers/fixtures.js';
import { configFrom, memoryLogger } from './helpers/setup.js';

forbidRealDns();

const squidRequired = Boolean(process.env['CI']) || process.env['TESTKIT_REQUIRE_SQUID'] === '1';
const squidBin = process.env['SQUID_BIN'];
const bob = { username: 'bob', password: 'rule-secret', realm: 'Partner Proxy' };

async function squid(t: ExecutionContext, options: SquidOptions = {}): Promise<SquidProxy | undefined> {
	if (!(await requireSquid(t, squidRequired, squidBin === undefined ? {} : { squidBin }))) return undefined;
	const proxy = await startSquid({
		...(squidBin === undefined ? {} : { squidBin }),
		hosts: { 'test.com': '127.0.0.1', 'other.test': '127.0.0.1' },
		...options,
	});
	t.teardown(() => proxy.close());
	return proxy;
}

test.serial(
	'destinations matching a rule go through the rule proxy, all others through https_proxy/http_proxy',
	async (t) => {
		const main = await squid(t);
		const partner = await squid(t, { auth: bob });
		if (main === undefined || partner === undefined) return;
		const { http, https } = await destinations(t);
		const partnerUrl = partner.url.replace('//', `//${bob.username}:${bob.password}@`);
		const config = configFrom(
			{ http_proxy: main.url, https_proxy: main.url },
			`outbound_proxy_rules:\n  - match: ["other.test"]\n    proxy: "${partnerUrl}"\n`,
		);
		const { logger, lines } = memoryLogger();
		const stack = await client(t, config, { logger });
		const push = stack.client('push');
		for (let index = 0; index < 3; index++) {
			t.is(await push.get(`https://test.com:${https.port}/main${index}`).text(), 'ok');
			t.is(await push.get(`https://other.test:${https.port}/rule${index}`).text(), 'ok');
		}
		t.is(await push.get(`http://test.com:${http.port}/main-http`).text(), 'ok');
		t.is(await push.get(`http://other.test:${http.port}/rule-http`).text(), 'ok');
		t.is(https.requests.length, 6);
		t.true(http.requests.every((request) => !('proxy-authorization' in request.headers)));
		stack.close(); // Squid logs a CONNECT when its tunnel closes

		const mainLog = await main.readAccessLog({ minEntries: 2 });
		const partnerLog = await partner.readAccessLog({ minEntries: 2 });
		const urls = (entries: typeof mainLog): string[] => entries.map((entry) => entry.url).sort();
		// One tunnel per destination and proxy: the agents pool per proxy endpoint and reuse the tunnels.
		t.deepEqual(urls(mainLog), [`http://test.com:${http.port}/main-http`, `test.com:${https.port}`]);
		t.deepEqual(urls(partnerLog), [`http://other.test:${http.port}/rule-http`, `other.test:${https.port}`]);
		t.true(partnerLog.every((entry) => entry.user === 'bob' && entry.status === 200));
		t.true(mainLog.every((entry) => entry.user === undefined && entry.status === 200));

		const decision = stack.route(`https://other.test:${https.port}/`, 'push');
		t.is(decision.reason, "outbound_proxy_rules[0] entry 'other.test'");
		t.is(routeDecisionToJson(decision).proxy, partner.url.replace('//', '//bob:***@').replace(/\/$/, ''));
		t.false(lines.join('\n').includes(bob.password), 'the rule proxy password never reaches a log line');
	},
);
