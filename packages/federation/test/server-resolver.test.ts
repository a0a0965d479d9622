import test from 'ava';
import { FederationResolutionError, ServerNameError } from '../src/index.js';
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

test('test_get_hostname_srv: SRV target and port are connected to; SNI and Host stay the server name', async (t) => {
	const net = new FakeNetwork();
	net.srvAnswers.set('_matrix-fed._tcp.testserv', [srv('srvtarget', 8443)]);
	const candidates = await net.resolver.resolve('testserv');
	t.deepEqual(net.srvCalls, ['_matrix-fed._tcp.testserv']);
	t.deepEqual(candidates.map(wire), [
		{
			host: 'srvtarget',
			port: 8443,
			serverName: 'testserv',
			sni: 'testserv',
			hostHeader: 'testserv',
			source: 'srv',
		},
	]);
});

test('test_get_hostname_srv_legacy: without _matrix-fed the deprecated _matrix record is used', async (t) => {
	const net = new FakeNetwork();
	net.srvAnswers.set('_matrix-fed._tcp.testserv', { error: 'ENODATA' });
	net.srvAnswers.set('_matrix._tcp.testserv', [srv('srvtarget', 8443)]);
	const candidates = await net.resolver.resolve('testserv');
	t.deepEqual(net.srvCalls, ['_matrix-fed._tcp.testserv', '_matrix._tcp.testserv']);
	t.deepEqual(candidates.map(wire), [
		{
			host: 'srvtarget',
			port: 8443,
			serverName: 'testserv',
			sni: 'testserv',
			hostHeader: 'testserv',
			source: 'srv-legacy',
		},
	]);
});

for (const legacy of [false, true]) {
	const record = legacy ? '_matrix._tcp.target-server' : '_matrix-fed._tcp.target-server';
	test(`test_get_well_known_srv${legacy ? '_legacy' : ''}: well-known, then SRV ${record}`, async (t) => {
		const net = new FakeNetwork();
		net.wellKnownAnswers.set('testserv', wellKnown({ 'm.server': 'target-server' }));
		net.srvAnswers.set(record, [srv('srvtarget', 8443)]);
		const [candidate] = await net.resolver.resolve('testserv');
		t.deepEqual(wire(candidate), {
			host: 'srvtarget',
			port: 8443,
			serverName: 'target-server',
			sni: 'target-server',
			hostHeader: 'target-server',
			source: legacy ? 'srv-legacy' : 'srv',
		});
	});
}

test('test_idna_servername: the IDNA form is used for .well-known, SRV, SNI and Host', async (t) => {
	const net = new FakeNetwork();
	const [candidate] = await net.resolver.resolve('bücher.com');
	t.deepEqual(
		net.wellKnownCalls.map((c) => c.serverName),
		['xn--bcher-kva.com'],
	);
	t.deepEqual(net.srvCalls, ['_matrix-fed._tcp.xn--bcher-kva.com', '_matrix._tcp.xn--bcher-kva.com']);
	t.deepEqual(wire(candidate), {
		host: 'xn--bcher-kva.com',
		port: 8448,
		serverName: 'xn--bcher-kva.com',
		sni: 'xn--bcher-kva.com',
		hostHeader: 'xn--bcher-kva.com',
		source: 'default-port',
	});
});

for (const legacy of [false, true]) {
	test(`test_idna_srv_target${legacy ? '_legacy' : ''}: an IDNA SRV target is connected to in ASCII form`, async (t) => {
		const net = new FakeNetwork();
		const record = legacy ? '_matrix._tcp.xn--bcher-kva.com' : '_matrix-fed._tcp.xn--bcher-kva.com';
		net.srvAnswers.set(record, [srv('xn--trget-3qa.com', 8443), srv('târget.com.', 8444, 1)]);
		const candidates = await net.resolver.resolve('xn--bcher-kva.com');
		t.deepEqual(
			candidates.map((c) => [c.host, c.port, c.hostHeader, c.sni]),
			[
				['xn--trget-3qa.com', 8443, 'xn--bcher-kva.com', 'xn--bcher-kva.com'],
				['xn--trget-3qa.com', 8444, 'xn--bcher-kva.com', 'xn--bcher-kva.com'],
			],
		);
	});
}

for (const legacy of [false, true]) {
	test(`test_srv_fallbacks${legacy ? '_legacy' : ''}: every SRV target is a candidate, in order`, async (t) => {
		const net = new FakeNetwork();
		if (legacy) net.srvAnswers.set('_matrix-fed._tcp.testserv', []);
		net.srvAnswers.set(legacy ? '_matrix._tcp.testserv' : '_matrix-fed._tcp.testserv', [
			srv('target.com', 8443),
			srv('target.com', 8444),
		]);
		const candidates = await net.resolver.resolve('testserv');
		t.is(candidates.length, 2);
		t.deepEqual(new Set(candidates.map((c) => c.port)), new Set([8443, 8444]));
		t.true(
			candidates.every((c) => c.host === 'target.com' && c.hostHeader === 'testserv' && c.sni === 'testserv'),
		);
	});
}

test('SRV candidates are ordered by priority, and by weight within a priority', async (t) => {
	const net = new FakeNetwork();
	net.srvAnswers.set('_matrix-fed._tcp.testserv', [
		srv('backup.example', 8448, 20, 0),
		srv('heavy.example', 8448, 10, 90),
		srv('light.example', 8448, 10, 10),
	]);
	net.random = 0.5; // draw 51 of 100: heavy (weights in answer order: heavy 90 first)
	t.deepEqual(
		(await net.resolver.resolve('testserv')).map((c) => c.host),
		['heavy.example', 'light.example', 'backup.example'],
	);
	net.random = 0.95; // draw 96 of 100: past heavy's 90, so light first
	t.deepEqual(
		(await net.resolver.resolve('testserv')).map((c) => c.host),
		['light.example', 'heavy.example', 'backup.example'],
	);
});

test('test_srv_no_fallback_to_legacy: _matrix is not queried once _matrix-fed answered', async (t) => {
	const net = new FakeNetwork();
	net.srvAnswers.set('_matrix-fed._tcp.testserv', [srv('target.com', 8443)]);
	net.srvAnswers.set('_matrix._tcp.testserv', [srv('legacy.example', 8448)]);
	const candidates = await net.resolver.resolve('testserv');
	t.deepEqual(net.srvCalls, ['_matrix-fed._tcp.testserv']);
	t.deepEqual(
		candidates.map((c) => c.host),
		['target.com'],
	);
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

test('an SRV DNS failure without a cached answer fails with the steps so far', async (t) => {
	const net = new FakeNetwork();
	net.srvAnswers.set('_matrix-fed._tcp.testserv', { error: 'ESERVFAIL' });
	const error = await t.throwsAsync(net.resolver.resolve('testserv'), {
		instanceOf: FederationResolutionError,
	});
	t.is(error.code, 'ERR_FEDERATION_RESOLUTION');
	t.is(error.serverName, 'testserv');
	t.regex(error.message, /_matrix-fed\._tcp\.testserv failed \(ESERVFAIL\)/);
	t.regex(error.steps.join('\n'), /\.well-known/);
	t.is((error.cause as { code?: string }).code, 'ESERVFAIL');
	t.deepEqual(net.srvCalls, ['_matrix-fed._tcp.testserv'], 'no fallback to _matrix or 8448 on a DNS failure');
});

test('an SRV DNS failure falls back to the last answer, even an expired one', async (t) => {
	const net = new FakeNetwork();
	net.srvAnswers.set('_matrix-fed._tcp.testserv', [srv('target.com', 8443, 0, 0, 60)]);
	await net.resolver.resolve('testserv');
	net.advance(3600);
	net.srvAnswers.set('_matrix-fed._tcp.testserv', { error: 'ETIMEOUT' });
	const [candidate] = await net.resolver.resolve('testserv');
	t.is(candidate?.host, 'target.com');
	t.regex(candidate?.steps.join('\n') ?? '', /ETIMEOUT, using the last answer/);
});

test('SRV answers with a TTL are cached for that long', async (t) => {
	const net = new FakeNetwork();
	net.srvAnswers.set('_matrix-fed._tcp.testserv', [srv('target.com', 8443, 0, 0, 60)]);
	net.wellKnownAnswers.set('testserv', wellKnown('{}', { 'cache-control': 'max-age=86400' }, 404));
	await net.resolver.resolve('testserv');
	net.advance(59);
	await net.resolver.resolve('testserv');
	t.deepEqual(net.srvCalls, ['_matrix-fed._tcp.testserv']);
	net.advance(2);
	await net.resolver.resolve('testserv');
	t.deepEqual(net.srvCalls, ['_matrix-fed._tcp.testserv', '_matrix-fed._tcp.testserv']);
});

test('SRV "." (service decidedly not available) fails the resolution', async (t) => {
	const net = new FakeNetwork();
	net.srvAnswers.set('_matrix-fed._tcp.testserv', [srv('.', 0)]);
	await t.throwsAsync(net.resolver.resolve('testserv'), {
		instanceOf: FederationResolutionError,
		message: /not available/,
	});
});

test('invalid SRV targets are skipped; an answer with only invalid targets fails', async (t) => {
	const net = new FakeNetwork();
	net.srvAnswers.set('_matrix-fed._tcp.testserv', [
		srv('bad/name', 8448),
		srv('good.example', 0),
		srv('good.example', 8443),
	]);
	const candidates = await net.resolver.resolve('testserv');
	t.deepEqual(
		candidates.map((c) => `${c.host}:${c.port}`),
		['good.example:8443'],
	);
	t.regex(candidates[0]?.steps.join('\n') ?? '', /ignored invalid target/);
	const other = new FakeNetwork();
	other.srvAnswers.set('_matrix-fed._tcp.testserv', [srv('user@x', 8448)]);
	await t.throwsAsync(other.resolver.resolve('testserv'), {
		instanceOf: FederationResolutionError,
		message: /no usable target/,
	});
	t.deepEqual(other.srvCalls, ['_matrix-fed._tcp.testserv']);
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
