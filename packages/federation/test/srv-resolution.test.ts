import test from 'ava';
import { FederationResolutionError } from '../src/index.js';
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

// SRV cases from Synapse's tests/http/federation/test_matrix_federation_agent.py (reference 9.2).

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
