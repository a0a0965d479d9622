import test from 'ava';
import { ServerNameError } from '../src/index.js';
import type { ResolvedCandidate } from '../src/index.js';
import { FakeNetwork, srv, wellKnown } from './helpers/fake-network.js';

/** The wire-relevant part of a candidate. */
const wire = (c: ResolvedCandidate | undefined) =>
	c && {
		host: c.host,
		port: c.port,
		serverName: c.serverName,
		sni: c.sni,
		hostHeader: c.hostHeader,
		source: c.source,
	};

// Cases from Synapse's tests/http/federation/test_matrix_federation_agent.py (reference 9.2), on the resolver.

test('test_get: explicit port connects there, Host keeps the port, no .well-known and no SRV', async (t) => {
	const net = new FakeNetwork();
	const [first, ...rest] = await net.resolver.resolve('testserv:8448');
	t.deepEqual(wire(first), {
		host: 'testserv',
		port: 8448,
		serverName: 'testserv',
		sni: 'testserv',
		hostHeader: 'testserv:8448',
		source: 'explicit-port',
	});
	t.is(rest.length, 0);
	t.deepEqual(net.wellKnownCalls, []);
	t.deepEqual(net.srvCalls, []);
});

test('test_get_ip_address: an IPv4 literal goes to port 8448 without SNI, Host is the bare IP', async (t) => {
	const net = new FakeNetwork();
	t.deepEqual(wire((await net.resolver.resolve('1.2.3.4'))[0]), {
		host: '1.2.3.4',
		port: 8448,
		serverName: '1.2.3.4',
		sni: undefined,
		hostHeader: '1.2.3.4',
		source: 'ip-literal',
	});
	t.deepEqual(wire((await net.resolver.resolve('1.2.3.4:8449'))[0])?.hostHeader, '1.2.3.4:8449');
	t.deepEqual(net.wellKnownCalls, []);
	t.deepEqual(net.srvCalls, []);
});

test('test_get_ipv6_address: [::1] connects to ::1 on 8448, Host [::1]', async (t) => {
	const net = new FakeNetwork();
	t.deepEqual(wire((await net.resolver.resolve('[::1]'))[0]), {
		host: '::1',
		port: 8448,
		serverName: '::1',
		sni: undefined,
		hostHeader: '[::1]',
		source: 'ip-literal',
	});
	t.deepEqual(net.wellKnownCalls, []);
});

test('test_get_ipv6_address_with_port: [::1]:80 connects on port 80, Host [::1]:80', async (t) => {
	const net = new FakeNetwork();
	const [candidate] = await net.resolver.resolve('[::1]:80');
	t.is(candidate?.port, 80);
	t.is(candidate?.hostHeader, '[::1]:80');
	t.deepEqual(net.srvCalls, []);
});

test('test_get_no_srv_no_well_known: .well-known first, then _matrix-fed and _matrix SRV, then port 8448', async (t) => {
	const net = new FakeNetwork();
	const candidates = await net.resolver.resolve('testserv');
	t.deepEqual(net.wellKnownCalls, [{ serverName: 'testserv', maxBytes: 50 * 1024 }]);
	t.deepEqual(net.srvCalls, ['_matrix-fed._tcp.testserv', '_matrix._tcp.testserv']);
	t.deepEqual(candidates.map(wire), [
		{
			host: 'testserv',
			port: 8448,
			serverName: 'testserv',
			sni: 'testserv',
			hostHeader: 'testserv',
			source: 'default-port',
		},
	]);
});

test('test_get_well_known: delegation to target-server, SRV looked up for it, then target-server:8448', async (t) => {
	const net = new FakeNetwork();
	net.wellKnownAnswers.set('testserv', wellKnown({ 'm.server': 'target-server' }));
	const [candidate] = await net.resolver.resolve('testserv');
	t.deepEqual(net.srvCalls, ['_matrix-fed._tcp.target-server', '_matrix._tcp.target-server']);
	t.deepEqual(wire(candidate), {
		host: 'target-server',
		port: 8448,
		serverName: 'target-server',
		sni: 'target-server',
		hostHeader: 'target-server',
		source: 'default-port',
	});
	t.true(candidate?.delegated);
});

test('test_get_well_known_redirect: the fetcher follows redirects; the resolver uses the final answer', async (t) => {
	const net = new FakeNetwork();
	// The injected fetcher is responsible for redirects: it answers with the final response.
	net.wellKnownAnswers.set('testserv', wellKnown({ 'm.server': 'target-server' }));
	t.is((await net.resolver.resolve('testserv'))[0]?.hostHeader, 'target-server');
	// A redirect the fetcher did not follow is a non-200 answer: no delegation.
	const other = new FakeNetwork();
	other.wellKnownAnswers.set('testserv', wellKnown('', { location: '/even_better_known' }, 302));
	t.is((await other.resolver.resolve('testserv'))[0]?.hostHeader, 'testserv');
});

test('test_get_invalid_well_known: a non-JSON .well-known falls back to SRV, then 8448', async (t) => {
	const net = new FakeNetwork();
	net.wellKnownAnswers.set('testserv', wellKnown('NOT JSON'));
	const [candidate] = await net.resolver.resolve('testserv');
	t.deepEqual(net.srvCalls, ['_matrix-fed._tcp.testserv', '_matrix._tcp.testserv']);
	t.is(candidate?.hostHeader, 'testserv');
	t.false(candidate?.delegated);
});

const INVALID_WELL_KNOWN: ReadonlyArray<[string, ReturnType<typeof wellKnown>]> = [
	['a JSON array', wellKnown([{ 'm.server': 'x' }])],
	['a JSON string', wellKnown('"target-server"')],
	['no m.server', wellKnown({ server: 'target-server' })],
	['a numeric m.server', wellKnown({ 'm.server': 8448 })],
	['an m.server with a path', wellKnown({ 'm.server': 'evil.example/x' })],
	['an m.server with userinfo', wellKnown({ 'm.server': 'user@evil.example' })],
	['an m.server with a scheme', wellKnown({ 'm.server': 'https://target-server' })],
	['an m.server with a bad port', wellKnown({ 'm.server': 'target-server:0' })],
	['an empty m.server', wellKnown({ 'm.server': '' })],
	['a body that is not UTF-8', { status: 200, headers: {}, body: Buffer.from([0x7b, 0xff, 0x7d]) }],
	['a 404', wellKnown({ 'm.server': 'target-server' }, {}, 404)],
	['a 204', wellKnown('', {}, 204)],
];

for (const [what, answer] of INVALID_WELL_KNOWN) {
	test(`a .well-known with ${what} means no delegation`, async (t) => {
		const net = new FakeNetwork();
		net.wellKnownAnswers.set('testserv', answer);
		const [candidate] = await net.resolver.resolve('testserv');
		t.is(candidate?.host, 'testserv');
		t.false(candidate?.delegated);
		t.deepEqual(net.srvCalls, ['_matrix-fed._tcp.testserv', '_matrix._tcp.testserv']);
	});
}

test('test_well_known_too_large: a body over 50 KiB means no delegation', async (t) => {
	const net = new FakeNetwork();
	net.wellKnownAnswers.set('testserv', wellKnown(`{ "m.server": "${'a'.repeat(50 * 1024)}" }`));
	t.is((await net.resolver.resolve('testserv'))[0]?.host, 'testserv');
	// A fetcher that enforces the cap itself reports ERR_RESPONSE_TOO_LARGE: same outcome.
	const capped = new FakeNetwork();
	capped.wellKnownAnswers.set('testserv', { error: 'ERR_RESPONSE_TOO_LARGE' });
	const [candidate] = await capped.resolver.resolve('testserv');
	t.is(candidate?.host, 'testserv');
	t.regex(candidate?.steps.join('\n') ?? '', /larger than 51200 bytes/);
});

test('a delegation to an IP literal uses it directly (no SRV), Host with the port it had', async (t) => {
	const net = new FakeNetwork();
	net.wellKnownAnswers.set('testserv', wellKnown({ 'm.server': '10.0.0.1:8449' }));
	net.wellKnownAnswers.set('six.example', wellKnown({ 'm.server': '[FD00::1]' }));
	t.deepEqual(wire((await net.resolver.resolve('testserv'))[0]), {
		host: '10.0.0.1',
		port: 8449,
		serverName: '10.0.0.1',
		sni: undefined,
		hostHeader: '10.0.0.1:8449',
		source: 'ip-literal',
	});
	t.deepEqual(wire((await net.resolver.resolve('six.example'))[0]), {
		host: 'fd00::1',
		port: 8448,
		serverName: 'fd00::1',
		sni: undefined,
		hostHeader: '[fd00::1]',
		source: 'ip-literal',
	});
	t.deepEqual(net.srvCalls, []);
});

test('a delegation with a port uses that host and port, Host delegated-name:port, no SRV', async (t) => {
	const net = new FakeNetwork();
	net.wellKnownAnswers.set('testserv', wellKnown({ 'm.server': 'Target-Server:443' }));
	t.deepEqual(wire((await net.resolver.resolve('testserv'))[0]), {
		host: 'target-server',
		port: 443,
		serverName: 'target-server',
		sni: 'target-server',
		hostHeader: 'target-server:443',
		source: 'explicit-port',
	});
	t.deepEqual(net.srvCalls, []);
});

test('an invalid server name is refused before any lookup', async (t) => {
	const net = new FakeNetwork();
	await t.throwsAsync(net.resolver.resolve('evil.example/../x'), { instanceOf: ServerNameError });
	await t.throwsAsync(net.resolver.resolve('0x7f.1'), { instanceOf: ServerNameError });
	t.deepEqual(net.wellKnownCalls, []);
	t.deepEqual(net.srvCalls, []);
});

test('the steps tell the whole story, ending with the candidate', async (t) => {
	const net = new FakeNetwork();
	net.wellKnownAnswers.set('testserv', wellKnown({ 'm.server': 'target-server' }));
	net.srvAnswers.set('_matrix-fed._tcp.target-server', [srv('srvtarget', 8443, 10, 5)]);
	const [candidate] = await net.resolver.resolve('testserv');
	t.deepEqual(candidate?.steps, [
		'server name "testserv": DNS name testserv, no port',
		'.well-known https://testserv/.well-known/matrix/server: HTTP 200, m.server "target-server" (cached 86400 s)',
		'delegated to "target-server": DNS name target-server, no port',
		'SRV _matrix-fed._tcp.target-server: 1 target',
		'connect to srvtarget:8443 (SRV target 1 of 1, priority 10, weight 5); TLS name and SNI target-server; Host target-server',
	]);
});
