import test from 'ava';
import { createTestResolver, forbidRealDns } from '../src/index.js';

// Safety net: any real DNS use in this file fails loudly (everything here is loopback).
forbidRealDns();

const resolver = () =>
	createTestResolver({
		srv: {
			'_matrix-fed._tcp.example.test': [{ priority: 10, weight: 5, port: 8448, name: 'target.example.test' }],
			'_matrix._tcp.nosrv.test': [],
		},
		a: { 'target.example.test': ['127.0.0.1', '::1'], 'plain.test': '127.0.0.1' },
		failures: { '_matrix-fed._tcp.broken.test': 'ESERVFAIL' },
	});

test('resolveSrv answers configured records as copies, case- and trailing-dot-insensitively', async (t) => {
	const dns = resolver();
	const records = await dns.resolveSrv('_MATRIX-FED._tcp.example.test.');
	t.deepEqual(records, [{ priority: 10, weight: 5, port: 8448, name: 'target.example.test' }]);
	records[0]!.port = 1;
	t.is((await dns.resolveSrv('_matrix-fed._tcp.example.test'))[0]?.port, 8448);
	t.deepEqual(dns.queries[0], { type: 'SRV', name: '_matrix-fed._tcp.example.test' });
});

test('unknown names reject with ENOTFOUND, known names without SRV with ENODATA, like dns.promises', async (t) => {
	const dns = resolver();
	const missing = await t.throwsAsync(dns.resolveSrv('_matrix-fed._tcp.unknown.test'), { code: 'ENOTFOUND' });
	t.is((missing as NodeJS.ErrnoException).syscall, 'querySrv');
	await t.throwsAsync(dns.resolveSrv('_matrix._tcp.nosrv.test'), { code: 'ENODATA' });
	await t.throwsAsync(dns.resolveSrv('plain.test'), { code: 'ENODATA' });
	await t.throwsAsync(dns.resolveSrv('_matrix-fed._tcp.broken.test'), { code: 'ESERVFAIL' });
});

test('address records and lookup come from the same loopback table', async (t) => {
	const dns = resolver();
	t.deepEqual(await dns.resolve4('target.example.test'), ['127.0.0.1']);
	t.deepEqual(await dns.resolve6('target.example.test'), ['::1']);
	await t.throwsAsync(dns.resolve6('plain.test'), { code: 'ENODATA' });
	await t.throwsAsync(dns.resolve4('nowhere.test'), { code: 'ENOTFOUND' });
	const address = await new Promise<string>((resolve, reject) =>
		dns.lookup('plain.test', {}, (error, value) => (error ? reject(error) : resolve(value as string))),
	);
	t.is(address, '127.0.0.1');
	t.throws(() => createTestResolver({ a: { 'x.test': '8.8.8.8' } }), { code: 'ERR_TESTKIT_NOT_LOOPBACK' });
});
