import test from 'ava';
import {
	connectViaProxy,
	createCertificateAuthority,
	forbidRealDns,
	requestViaProxy,
	requireSquid,
	startHttpServer,
	startHttpsServer,
	startSquid,
} from '../src/index.js';
import { connectOutcome, getOverSocket, startTls } from './helpers/clients.js';
import { squidRequired, squidTools } from './helpers/squid-env.js';

// Safety net: any real DNS use in this file fails loudly (everything here is loopback).
forbidRealDns();

// Each test starts its own Squid (well under 100 ms); serial keeps the 2-core machine calm.
const alice = { username: 'alice', password: 'pa ss:word' };

test.serial(
	'an absolute-form GET through Squid reaches a loopback server and is logged as TCP_MISS with the user',
	async (t) => {
		if (!(await requireSquid(t, squidRequired, squidTools))) return;
		const destination = await startHttpServer((request, response) =>
			response.end(`via ${request.headers.via ?? 'nothing'}`),
		);
		const squid = await startSquid({
			...squidTools,
			auth: alice,
			hosts: { 'destination.test': '127.0.0.1' },
		});
		t.teardown(() => Promise.all([destination.close(), squid.close()]));
		const url = `http://destination.test:${destination.port}/media?id=1`;
		const answer = await requestViaProxy(url, { proxyUrl: squid.url, proxyAuth: alice });
		t.is(answer.statusCode, 200);
		t.regex(answer.body, /testkit-squid/);
		t.is(destination.requests[0]?.url, '/media?id=1');
		t.is(destination.requests[0]?.headers.host, `destination.test:${destination.port}`);
		t.is(destination.requests[0]?.headers['proxy-authorization'], undefined);
		const [entry] = await squid.readAccessLog();
		t.like(entry, { squidCode: 'TCP_MISS', status: 200, method: 'GET', url, user: 'alice', tunnel: false });
		t.is(entry?.serverAddress, '127.0.0.1');
	},
);

test.serial(
	'a CONNECT through Squid reaches a loopback https server and is logged as TCP_TUNNEL',
	async (t) => {
		if (!(await requireSquid(t, squidRequired, squidTools))) return;
		const ca = await createCertificateAuthority();
		const destination = await startHttpsServer(await ca.issue({ dnsNames: ['destination.test'] }));
		const squid = await startSquid({
			...squidTools,
			auth: alice,
			hosts: { 'destination.test': '127.0.0.1' },
		});
		t.teardown(() => Promise.all([destination.close(), squid.close()]));
		const authority = `destination.test:${destination.port}`;
		const tunnel = await connectViaProxy(authority, { proxyUrl: squid.url, proxyAuth: alice });
		t.is(tunnel.statusCode, 200);
		const tls = await startTls(tunnel.socket!, 'destination.test', ca.certPem);
		t.is((await getOverSocket(tls, authority)).statusCode, 200);
		t.is(destination.requests[0]?.servername, 'destination.test');
		tls.destroy(); // Squid logs a CONNECT only when its tunnel closes.
		const [entry] = await squid.readAccessLog();
		t.like(entry, {
			squidCode: 'TCP_TUNNEL',
			status: 200,
			method: 'CONNECT',
			url: authority,
			user: 'alice',
			tunnel: true,
		});
	},
);

test.serial(
	'Squid answers 407 with its realm to missing or wrong credentials, for GET and CONNECT',
	async (t) => {
		if (!(await requireSquid(t, squidRequired, squidTools))) return;
		const destination = await startHttpServer();
		const squid = await startSquid({ ...squidTools, auth: { ...alice, realm: 'corp proxy' } });
		t.teardown(() => Promise.all([destination.close(), squid.close()]));
		const missing = await requestViaProxy(destination.url, { proxyUrl: squid.url });
		t.is(missing.statusCode, 407);
		t.is(missing.headers['proxy-authenticate'], 'Basic realm="corp proxy"');
		const wrong = await connectViaProxy(`127.0.0.1:${destination.port}`, {
			proxyUrl: squid.url,
			proxyAuth: { username: 'alice', password: 'wrong' },
		});
		t.is(wrong.statusCode, 407);
		t.is(destination.connections, 0);
		const entries = await squid.readAccessLog({ minEntries: 2 });
		t.deepEqual(
			entries.map((entry) => [entry.squidCode, entry.status, entry.method]),
			[
				['TCP_DENIED', 407, 'GET'],
				['TCP_DENIED', 407, 'CONNECT'],
			],
		);
	},
);

test.serial(
	'Squid refuses destinations outside loopback and names it cannot resolve from its hosts file',
	async (t) => {
		if (!(await requireSquid(t, squidRequired, squidTools))) return;
		const squid = await startSquid({ ...squidTools, hosts: { 'destination.test': '127.0.0.1' } });
		t.teardown(() => squid.close());
		t.is((await connectViaProxy('10.1.2.3:443', { proxyUrl: squid.url })).statusCode, 403);
		t.is((await requestViaProxy('http://192.168.0.1/', { proxyUrl: squid.url })).statusCode, 403);
		t.is((await requestViaProxy('http://unmapped.test/', { proxyUrl: squid.url })).statusCode, 403);
		const entries = await squid.readAccessLog({ minEntries: 3 });
		t.true(entries.every((entry) => entry.squidCode === 'TCP_DENIED' && entry.serverAddress === undefined));
	},
);

test.serial(
	'Squid https_port: TLS to the proxy verified against the CA, with TLS inside the tunnel',
	async (t) => {
		if (!(await requireSquid(t, squidRequired, squidTools))) return;
		const ca = await createCertificateAuthority();
		const destination = await startHttpsServer(await ca.issue({ dnsNames: ['destination.test'] }));
		const squid = await startSquid({
			...squidTools,
			auth: alice,
			tls: await ca.issue({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }),
			hosts: { 'destination.test': '127.0.0.1' },
		});
		t.teardown(() => Promise.all([destination.close(), squid.close()]));
		t.regex(squid.httpsUrl ?? '', /^https:\/\/127\.0\.0\.1:\d+$/);
		const client = { proxyUrl: squid.httpsUrl!, proxyAuth: alice, ca: ca.certPem };
		const authority = `destination.test:${destination.port}`;
		const tunnel = await connectViaProxy(authority, client);
		t.is(tunnel.statusCode, 200);
		const inner = await startTls(tunnel.socket!, 'destination.test', ca.certPem);
		t.is((await getOverSocket(inner, authority)).statusCode, 200);
		inner.destroy();
		const stranger = await createCertificateAuthority();
		await t.throwsAsync(connectViaProxy(authority, { ...client, ca: stranger.certPem }), {
			code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
		});
		const entries = await squid.readAccessLog({ until: (all) => all.some((entry) => entry.tunnel) });
		t.like(
			entries.find((entry) => entry.tunnel),
			{ method: 'CONNECT', url: authority, user: 'alice' },
		);
	},
);

test.serial('Squid listens on ::1 and tunnels to a bracketed IPv6 loopback destination', async (t) => {
	if (!(await requireSquid(t, squidRequired, squidTools))) return;
	const destination = await startHttpServer(undefined, { host: '::1' });
	const squid = await startSquid({ ...squidTools, host: '::1' });
	t.teardown(() => Promise.all([destination.close(), squid.close()]));
	t.regex(squid.url, /^http:\/\/\[::1\]:\d+$/);
	const authority = `[::1]:${destination.port}`;
	const tunnel = await connectViaProxy(authority, { proxyUrl: squid.url });
	t.is(tunnel.statusCode, 200);
	t.is((await getOverSocket(tunnel.socket!, authority)).statusCode, 200);
	tunnel.socket!.destroy();
	const [entry] = await squid.readAccessLog();
	t.like(entry, { squidCode: 'TCP_TUNNEL', method: 'CONNECT', clientAddress: '::1', serverAddress: '::1' });
});

test.serial(
	'Squid reaches localhost on 127.0.0.1 (CONNECT and absolute-form GET), and on ::1 when the caller maps it there',
	async (t) => {
		if (!(await requireSquid(t, squidRequired, squidTools))) return;
		const ipv4 = await startHttpServer();
		const ipv6 = await startHttpServer(undefined, { host: '::1' });
		const squid = await startSquid(squidTools);
		const squidV6 = await startSquid({ ...squidTools, hosts: { localhost: '::1' } });
		t.teardown(() => Promise.all([ipv4.close(), ipv6.close(), squid.close(), squidV6.close()]));
		const authority = `localhost:${ipv4.port}`;
		const tunnel = await connectViaProxy(authority, { proxyUrl: squid.url });
		t.is(tunnel.statusCode, 200);
		t.is((await getOverSocket(tunnel.socket!, authority)).statusCode, 200);
		tunnel.socket!.destroy();
		const forwarded = await requestViaProxy(`http://${authority}/x`, { proxyUrl: squid.url });
		t.is(forwarded.statusCode, 200);
		const entries = await squid.readAccessLog({ minEntries: 2 });
		t.deepEqual(entries.map((entry) => [entry.method, entry.status, entry.serverAddress]).sort(), [
			['CONNECT', 200, '127.0.0.1'],
			['GET', 200, '127.0.0.1'],
		]);
		const v6Tunnel = await connectViaProxy(`localhost:${ipv6.port}`, { proxyUrl: squidV6.url });
		t.is(v6Tunnel.statusCode, 200);
		v6Tunnel.socket!.destroy();
		const [v6Entry] = await squidV6.readAccessLog();
		t.like(v6Entry, { method: 'CONNECT', status: 200, serverAddress: '::1' });
	},
);

test.serial('close() stops Squid, frees its port and removes its directory', async (t) => {
	if (!(await requireSquid(t, squidRequired, squidTools))) return;
	const squid = await startSquid(squidTools);
	const { existsSync } = await import('node:fs');
	t.true(existsSync(squid.dir));
	await squid.close();
	t.false(existsSync(squid.dir));
	t.is(await connectOutcome(squid.host, squid.port), 'ECONNREFUSED');
});
