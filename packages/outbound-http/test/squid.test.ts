// Against a real Squid (Debian squid-openssl, basic_ncsa_auth, https_port): its access log shows what went on the
// wire. Each test starts its own Squid on free loopback ports; serial keeps the 2-core machine calm.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { forbidRealDns, requireSquid, startSquid } from '@homeserver/testkit';
import type { SquidOptions, SquidProxy } from '@homeserver/testkit';
import { ProxyAuthRequiredError, ProxyRefusedError } from '../src/index.js';
import { configFrom, testPki } from './helpers/setup.js';
import { client, destinations } from './helpers/fixtures.js';

forbidRealDns();

/** In CI (or with TESTKIT_REQUIRE_SQUID=1) a missing Squid fails these tests instead of skipping them. */
const squidRequired = Boolean(process.env['CI']) || process.env['TESTKIT_REQUIRE_SQUID'] === '1';
const squidBin = process.env['SQUID_BIN'];
const alice = { username: 'alice', password: 'pa ss:word', realm: 'Homeserver Proxy' };
const aliceInUrl = 'alice:pa%20ss%3Aword@';

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

function named(url: string, credentials = ''): string {
	return url.replace('//127.0.0.1', `//${credentials}proxy.test`);
}

test.serial(
	'http through Squid is absolute-form (TCP_MISS GET http://...), authenticated as alice',
	async (t) => {
		const proxy = await squid(t, { auth: alice });
		if (proxy === undefined) return;
		const { http } = await destinations(t);
		const stack = await client(t, configFrom({ http_proxy: named(proxy.url, aliceInUrl) }));
		const url = `http://test.com:${http.port}/media?id=1`;
		t.is(await stack.client('push').get(url).text(), 'ok');
		t.is(http.requests[0]?.url, '/media?id=1');
		t.is(http.requests[0]?.headers['proxy-authorization'], undefined);
		const [entry] = await proxy.readAccessLog();
		t.like(entry, { squidCode: 'TCP_MISS', status: 200, method: 'GET', url, user: 'alice', tunnel: false });
	},
);

test.serial('https through Squid is CONNECT (TCP_TUNNEL), and many requests reuse few tunnels', async (t) => {
	const proxy = await squid(t, { auth: alice });
	if (proxy === undefined) return;
	const { https } = await destinations(t);
	const stack = await client(t, configFrom({ https_proxy: named(proxy.url, aliceInUrl) }));
	for (let index = 0; index < 12; index++) {
		t.is(await stack.client('federation').get(`https://test.com:${https.port}/r${index}`).text(), 'ok');
	}
	t.is(https.requests.length, 12);
	t.true(
		https.requests.every(
			(request) => request.servername === 'test.com' && !('proxy-authorization' in request.headers),
		),
	);
	stack.close(); // Squid logs a CONNECT when its tunnel closes
	const entries = await proxy.readAccessLog();
	t.is(entries.length, 1, entries.map((entry) => entry.raw).join('\n'));
	t.like(entries[0], {
		method: 'CONNECT',
		url: `test.com:${https.port}`,
		user: 'alice',
		tunnel: true,
		status: 200,
	});
});

test.serial(
	'TLS to Squid (https_port): TLS-in-TLS for https, absolute form inside TLS for http',
	async (t) => {
		const { proxy: proxyTls } = await testPki();
		const proxy = await squid(t, { tls: proxyTls });
		if (proxy === undefined || proxy.httpsUrl === undefined) return;
		const { http, https } = await destinations(t);
		const url = named(proxy.httpsUrl);
		const stack = await client(t, configFrom({ https_proxy: url, http_proxy: url }));
		t.is(await stack.client('push').get(`https://test.com:${https.port}/secure`).text(), 'ok');
		t.is(await stack.client('push').get(`http://test.com:${http.port}/plain`).text(), 'ok');
		stack.close();
		const entries = await proxy.readAccessLog({ minEntries: 2 });
		t.deepEqual(entries.map((entry) => `${entry.method} ${entry.url}`).sort(), [
			`CONNECT test.com:${https.port}`,
			`GET http://test.com:${http.port}/plain`,
		]);
	},
);

test.serial(
	"Squid's 407 becomes ERR_PROXY_AUTH_REQUIRED with its realm, for CONNECT and for absolute form",
	async (t) => {
		const proxy = await squid(t, { auth: alice });
		if (proxy === undefined) return;
		const { http, https } = await destinations(t);
		const wrong = named(proxy.url, 'alice:not-the-password@');
		const stack = await client(t, configFrom({ https_proxy: wrong, http_proxy: wrong }));
		const tunnel = await t.throwsAsync(stack.client('push').get(`https://test.com:${https.port}/`).text());
		t.true(tunnel instanceof ProxyAuthRequiredError);
		t.is((tunnel as ProxyAuthRequiredError).realm, 'Homeserver Proxy');
		t.false(tunnel.message.includes('not-the-password'));
		const forward = await t.throwsAsync(stack.client('push').get(`http://test.com:${http.port}/`).text());
		t.true(forward instanceof ProxyAuthRequiredError);
		t.is(https.requests.length + http.requests.length, 0);
	},
);

test.serial("Squid's refusal of a destination is ERR_PROXY_REFUSED with its status", async (t) => {
	const proxy = await squid(t);
	if (proxy === undefined) return;
	const stack = await client(t, configFrom({ https_proxy: named(proxy.url) }));
	const error = await t.throwsAsync(stack.client('push').get('https://not-in-hosts.test/').text());
	t.true(error instanceof ProxyRefusedError);
	t.is((error as ProxyRefusedError).statusCode, 403);
});
