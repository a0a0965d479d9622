import type { LookupAddress } from 'node:dns';
import { connect } from 'node:net';
import type { LookupFunction } from 'node:net';
import test from 'ava';
import { forbidRealDns, loopbackLookup, startHttpServer } from '../src/index.js';

// Safety net: any real DNS use in this file fails loudly (everything here is loopback).
forbidRealDns();

function lookupAll(lookup: LookupFunction, name: string, family?: number): Promise<LookupAddress[]> {
	return new Promise((resolve, reject) => {
		lookup(name, { all: true, ...(family ? { family } : {}) }, (error, addresses) => {
			if (error) reject(error);
			else resolve(addresses as LookupAddress[]);
		});
	});
}

test('mapped names resolve to their loopback addresses, wildcards to every subdomain', async (t) => {
	const lookup = loopbackLookup({
		'test.com': ['127.0.0.1', '::1'],
		'*.test': '127.0.0.2',
		'exact.test': '::1',
	});
	t.deepEqual(await lookupAll(lookup, 'TEST.com.'), [
		{ address: '127.0.0.1', family: 4 },
		{ address: '::1', family: 6 },
	]);
	t.deepEqual(await lookupAll(lookup, 'a.b.test'), [{ address: '127.0.0.2', family: 4 }]);
	t.deepEqual(
		await lookupAll(lookup, 'exact.test'),
		[{ address: '::1', family: 6 }],
		'exact entries win over wildcards',
	);
	t.deepEqual(await lookupAll(lookup, 'test.com', 6), [{ address: '::1', family: 6 }]);
	t.deepEqual(lookup.calls, ['test.com', 'a.b.test', 'exact.test', 'test.com']);
});

test('the single-answer callback forms give the first address and its family', async (t) => {
	const lookup = loopbackLookup({ 'test.com': '::1' });
	const viaOptions = await new Promise<[string, number | undefined]>((resolve, reject) =>
		lookup('test.com', {}, (error, address, family) =>
			error ? reject(error) : resolve([address as string, family]),
		),
	);
	t.deepEqual(viaOptions, ['::1', 6]);
	const viaTwoArgs = await new Promise<string>((resolve, reject) =>
		(lookup as unknown as (name: string, cb: (e: Error | null, a: string) => void) => void)(
			'test.com',
			(error, address) => (error ? reject(error) : resolve(address)),
		),
	);
	t.is(viaTwoArgs, '::1');
});

test('unmapped names, the bare wildcard domain and non-loopback literals fail with ENOTFOUND', async (t) => {
	const lookup = loopbackLookup({ '*.test': '127.0.0.1', 'v6only.test': '::1' });
	await t.throwsAsync(lookupAll(lookup, 'matrix.org'), { code: 'ENOTFOUND' });
	await t.throwsAsync(lookupAll(lookup, 'test'), { code: 'ENOTFOUND' });
	await t.throwsAsync(lookupAll(lookup, '10.0.0.1'), { code: 'ENOTFOUND' });
	await t.throwsAsync(lookupAll(lookup, 'v6only.test', 4), { code: 'ENOTFOUND' });
	t.deepEqual(await lookupAll(lookup, '127.0.0.9'), [{ address: '127.0.0.9', family: 4 }]);
});

test('a map naming a non-loopback address is refused at creation', (t) => {
	t.throws(() => loopbackLookup({ 'evil.test': '10.0.0.1' }), { code: 'ERR_TESTKIT_NOT_LOOPBACK' });
	t.throws(() => loopbackLookup({ 'evil.test': ['127.0.0.1', '::ffff:192.168.0.1'] }), {
		code: 'ERR_TESTKIT_NOT_LOOPBACK',
	});
});

test('net.connect reaches a loopback server by a test name through it', async (t) => {
	const server = await startHttpServer();
	t.teardown(() => server.close());
	const lookup = loopbackLookup({ 'destination.test': '127.0.0.1' });
	const remote = await new Promise<string | undefined>((resolve, reject) => {
		const socket = connect({ host: 'destination.test', port: server.port, lookup }, () => {
			resolve(socket.remoteAddress);
			socket.destroy();
		});
		socket.once('error', reject);
	});
	t.is(remote, '127.0.0.1');
	t.deepEqual(lookup.calls, ['destination.test']);
});
