import type { AddressInfo, LookupFunction } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import test from 'ava';
import {
	connectViaProxy,
	createCertificateAuthority,
	forbidRealDns,
	loopbackLookup,
	requestViaProxy,
	startForwardProxy,
	startHttpServer,
	startHttpsServer,
} from '../src/index.js';
import { connectOutcome, getOverSocket, getWithAgent, startTls, tunnellingAgent } from './helpers/clients.js';

// Safety net: any real DNS use in this file fails loudly (everything here is loopback).
forbidRealDns();

const alice = { username: 'alice', password: 's3cret:with colon' };
const lookup = loopbackLookup({ 'destination.test': '127.0.0.1', 'v6.test': '::1' });

test('absolute-form requests are forwarded without Proxy-Authorization and logged with it', async (t) => {
	const destination = await startHttpServer((request, response) =>
		response.end(`hello ${request.headers.host}`),
	);
	const proxy = await startForwardProxy({ auth: alice, lookup });
	t.teardown(() => Promise.all([destination.close(), proxy.close()]));
	const target = `http://destination.test:${destination.port}/path?q=1`;
	const answer = await requestViaProxy(target, { proxyUrl: proxy.url, proxyAuth: alice });
	t.is(answer.statusCode, 200);
	t.is(answer.body, `hello destination.test:${destination.port}`);
	t.is(destination.requests[0]?.url, '/path?q=1');
	t.is(destination.requests[0]?.headers['proxy-authorization'], undefined);
	t.like(proxy.log[0], {
		method: 'GET',
		target,
		authorizedUser: 'alice',
		status: 200,
		outcome: 'forwarded',
		tls: false,
	});
	t.regex(proxy.log[0]?.headers['proxy-authorization'] ?? '', /^Basic /);
	t.is(proxy.connects, 0);
});

test('a kept-alive upstream connection the destination drops on reuse is retried once on a new one, not a 502', async (t) => {
	// A destination that answers the first request on each connection and drops the connection when a second
	// request arrives on it: the race of a keep-alive timeout firing just as the proxy reuses the connection.
	let connections = 0;
	const destination = createNetServer((socket) => {
		connections += 1;
		let answered = false;
		socket.on('data', () => {
			if (answered) {
				socket.destroy();
				return;
			}
			answered = true;
			socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok');
		});
	});
	await new Promise<void>((resolve) => destination.listen(0, '127.0.0.1', resolve));
	const { port } = destination.address() as AddressInfo;
	const proxy = await startForwardProxy({ lookup });
	t.teardown(async () => {
		await proxy.close();
		await new Promise((resolve) => destination.close(resolve));
	});
	const target = `http://destination.test:${port}/`;
	const first = await requestViaProxy(target, { proxyUrl: proxy.url });
	const second = await requestViaProxy(target, { proxyUrl: proxy.url });
	t.is(first.statusCode, 200);
	t.is(second.statusCode, 200);
	t.is(second.body, 'ok');
	t.is(connections, 2);
});

test('missing or wrong credentials get a 407 naming the realm, and nothing reaches the destination', async (t) => {
	const destination = await startHttpServer();
	const proxy = await startForwardProxy({ auth: { ...alice, realm: 'corp proxy' }, lookup });
	t.teardown(() => Promise.all([destination.close(), proxy.close()]));
	const absolute = await requestViaProxy(destination.url, { proxyUrl: proxy.url });
	t.is(absolute.statusCode, 407);
	t.is(absolute.headers['proxy-authenticate'], 'Basic realm="corp proxy"');
	const tunnel = await connectViaProxy(`127.0.0.1:${destination.port}`, {
		proxyUrl: proxy.url,
		proxyAuth: { username: 'alice', password: 'wrong' },
	});
	t.is(tunnel.statusCode, 407);
	t.is(tunnel.headers['proxy-authenticate'], 'Basic realm="corp proxy"');
	t.is(destination.connections, 0);
	t.deepEqual(
		proxy.log.map((entry) => [entry.method, entry.outcome, entry.authorizedUser]),
		[
			['GET', 'auth-required', undefined],
			['CONNECT', 'auth-required', undefined],
		],
	);
	t.is(proxy.tunnels, 0);
});

test('CONNECT opens a tunnel in which TLS is verified end to end with the destination', async (t) => {
	const ca = await createCertificateAuthority();
	const destination = await startHttpsServer(await ca.issue({ dnsNames: ['destination.test'] }));
	const proxy = await startForwardProxy({ lookup });
	t.teardown(() => Promise.all([destination.close(), proxy.close()]));
	const authority = `destination.test:${destination.port}`;
	const tunnel = await connectViaProxy(authority, { proxyUrl: proxy.url });
	t.is(tunnel.statusCode, 200);
	const tls = await startTls(tunnel.socket!, 'destination.test', ca.certPem);
	t.teardown(() => tls.destroy());
	t.is((await getOverSocket(tls, authority)).statusCode, 200);
	t.is(destination.requests[0]?.servername, 'destination.test');
	t.like(proxy.log[0], { method: 'CONNECT', target: authority, status: 200, outcome: 'tunnel' });
	t.is(proxy.log[0]?.headers.host, authority);
	t.is(proxy.connects, 1);
	t.is(proxy.tunnels, 1);
});

test('a keep-alive client reuses one tunnel for several requests', async (t) => {
	const ca = await createCertificateAuthority();
	const destination = await startHttpsServer(await ca.issue({ dnsNames: ['destination.test'] }));
	const proxy = await startForwardProxy({ lookup });
	const agent = tunnellingAgent(
		{ proxyUrl: proxy.url },
		`destination.test:${destination.port}`,
		'destination.test',
		ca.certPem,
	);
	t.teardown(() => {
		agent.destroy();
		return Promise.all([destination.close(), proxy.close()]);
	});
	for (const path of ['/1', '/2', '/3'])
		t.is((await getWithAgent(agent, 'destination.test', path)).statusCode, 200);
	t.is(proxy.connects, 1);
	t.is(proxy.tunnels, 1);
	t.is(destination.connections, 1);
	t.deepEqual(
		destination.requests.map((request) => request.url),
		['/1', '/2', '/3'],
	);
});

test('connectStatus refuses tunnels with a non-2xx status and tunnels under any other 2xx', async (t) => {
	const destination = await startHttpServer();
	const forbidding = await startForwardProxy({ connectStatus: 403 });
	const unusual = await startForwardProxy({ connectStatus: 201 });
	t.teardown(() => Promise.all([destination.close(), forbidding.close(), unusual.close()]));
	const authority = `127.0.0.1:${destination.port}`;
	t.is((await connectViaProxy(authority, { proxyUrl: forbidding.url })).statusCode, 403);
	t.is(destination.connections, 0);
	const tunnel = await connectViaProxy(authority, { proxyUrl: unusual.url });
	t.is(tunnel.statusCode, 201);
	t.is((await getOverSocket(tunnel.socket!, authority)).statusCode, 200);
	tunnel.socket!.destroy();
	t.is(unusual.tunnels, 1);
});

test('non-loopback destinations are refused with 502 and recorded, whatever the lookup answers', async (t) => {
	const publicLookup: LookupFunction = (_name, _options, callback) =>
		process.nextTick(() => callback(null, [{ address: '10.0.0.1', family: 4 }]));
	const proxy = await startForwardProxy({ lookup: publicLookup });
	const noLookup = await startForwardProxy();
	t.teardown(() => Promise.all([proxy.close(), noLookup.close()]));
	t.is((await connectViaProxy('intranet.test:443', { proxyUrl: proxy.url })).statusCode, 502);
	t.is((await connectViaProxy('192.168.1.1:443', { proxyUrl: proxy.url })).statusCode, 502);
	t.is((await requestViaProxy('http://[2001:db8::1]/', { proxyUrl: proxy.url })).statusCode, 502);
	t.deepEqual(
		proxy.refused.map((refusal) => refusal.address),
		['10.0.0.1', '192.168.1.1', '2001:db8::1'],
	);
	t.is(proxy.tunnels, 0);
	const unknown = await connectViaProxy('destination.test:443', { proxyUrl: noLookup.url });
	t.is(unknown.statusCode, 502);
	t.is(noLookup.log[0]?.outcome, 'unresolved');
});

test('IPv6 CONNECT targets must be bracketed; bracketed ones reach an IPv6 destination', async (t) => {
	const ca = await createCertificateAuthority();
	const destination = await startHttpsServer(await ca.issue({ ipAddresses: ['::1'] }), undefined, {
		host: '::1',
	});
	const proxy = await startForwardProxy();
	t.teardown(() => Promise.all([destination.close(), proxy.close()]));
	t.is((await connectViaProxy(`::1:${destination.port}`, { proxyUrl: proxy.url })).statusCode, 400);
	const tunnel = await connectViaProxy(`[::1]:${destination.port}`, { proxyUrl: proxy.url });
	t.is(tunnel.statusCode, 200);
	tunnel.socket!.destroy();
	t.deepEqual(
		proxy.log.map((entry) => [entry.target, entry.outcome]),
		[
			[`::1:${destination.port}`, 'bad-request'],
			[`[::1]:${destination.port}`, 'tunnel'],
		],
	);
});

test('an https proxy is verified against the CA, and TLS inside its tunnel (TLS-in-TLS) works', async (t) => {
	const ca = await createCertificateAuthority();
	const proxy = await startForwardProxy({
		tls: await ca.issue({ ipAddresses: ['127.0.0.1'] }),
		auth: alice,
		lookup,
	});
	const destination = await startHttpsServer(await ca.issue({ dnsNames: ['destination.test'] }));
	const plain = await startHttpServer();
	t.teardown(() => Promise.all([destination.close(), plain.close(), proxy.close()]));
	t.regex(proxy.url, /^https:\/\/127\.0\.0\.1:\d+$/);
	const client = { proxyUrl: proxy.url, proxyAuth: alice, ca: ca.certPem };
	t.is((await requestViaProxy(`http://destination.test:${plain.port}/`, client)).statusCode, 200);
	const authority = `destination.test:${destination.port}`;
	const tunnel = await connectViaProxy(authority, client);
	const inner = await startTls(tunnel.socket!, 'destination.test', ca.certPem);
	t.teardown(() => inner.destroy());
	t.is((await getOverSocket(inner, authority)).statusCode, 200);
	t.true(proxy.log.every((entry) => entry.tls && entry.authorizedUser === 'alice'));
	const stranger = await createCertificateAuthority();
	await t.throwsAsync(requestViaProxy(plain.url, { ...client, ca: stranger.certPem }), {
		code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	});
});

test('stallAfterAccept accepts connections and never answers', async (t) => {
	const proxy = await startForwardProxy({ stallAfterAccept: true });
	t.teardown(() => proxy.close());
	await t.throwsAsync(requestViaProxy('http://127.0.0.1:9/', { proxyUrl: proxy.url, timeoutMs: 150 }), {
		code: 'ERR_TESTKIT_TIMEOUT',
	});
	// The client can give up before the proxy's 'connection' event on a loaded machine: wait for it, bounded.
	for (let i = 0; i < 200 && proxy.connections === 0; i++)
		await new Promise((resolve) => setTimeout(resolve, 10));
	t.is(proxy.connections, 1);
	t.is(proxy.log.length, 0);
});

test('stallAfterConnect answers 200 and then forwards nothing', async (t) => {
	const ca = await createCertificateAuthority();
	const destination = await startHttpsServer(await ca.issue({ dnsNames: ['destination.test'] }));
	const proxy = await startForwardProxy({ stallAfterConnect: true, lookup });
	t.teardown(() => Promise.all([destination.close(), proxy.close()]));
	const tunnel = await connectViaProxy(`destination.test:${destination.port}`, { proxyUrl: proxy.url });
	t.is(tunnel.statusCode, 200);
	const socket = tunnel.socket!;
	socket.setTimeout(150, () => socket.destroy(new Error('handshake stalled')));
	await t.throwsAsync(startTls(socket, 'destination.test', ca.certPem), { message: 'handshake stalled' });
	t.is(destination.connections, 0);
	t.is(proxy.log[0]?.outcome, 'stalled');
});

test('close() ends open tunnels and frees the port', async (t) => {
	const destination = await startHttpServer();
	const proxy = await startForwardProxy();
	t.teardown(() => destination.close());
	const tunnel = await connectViaProxy(`127.0.0.1:${destination.port}`, { proxyUrl: proxy.url });
	const closed = new Promise<void>((resolve) => tunnel.socket!.once('close', () => resolve()));
	tunnel.socket!.resume();
	await proxy.close();
	await closed;
	t.is(await connectOutcome(proxy.host, proxy.port), 'ECONNREFUSED');
});

test('invalid options are refused up front', async (t) => {
	await t.throwsAsync(startForwardProxy({ connectStatus: 42 }), { code: 'ERR_TESTKIT_INVALID_OPTION' });
	await t.throwsAsync(startForwardProxy({ auth: { username: 'a:b', password: 'x' } }), {
		code: 'ERR_TESTKIT_INVALID_OPTION',
	});
	await t.throwsAsync(startForwardProxy({ auth: { username: 'a', password: 'x', realm: 'say "hi"' } }), {
		code: 'ERR_TESTKIT_INVALID_OPTION',
	});
});
