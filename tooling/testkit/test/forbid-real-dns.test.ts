import { lookup as promisesLookup, resolveSrv as promisesResolveSrv, Resolver } from 'node:dns/promises';
import { get } from 'node:http';
import { connect } from 'node:net';
import test from 'ava';
import { forbidRealDns, startHttpServer } from '../src/index.js';

// Names are under .invalid (RFC 6761), so even a broken guard could not reach a real host.
// One guard for the whole file; tests run serially because the patch is process-wide.
const guard = forbidRealDns();
test.after.always(() => guard.restore());

function connectError(host: string): Promise<NodeJS.ErrnoException> {
	return new Promise((resolve, reject) => {
		const socket = connect({ host, port: 443 });
		socket.once('connect', () => reject(new Error('connected')));
		socket.once('error', resolve);
	});
}

test.serial(
	'sockets and http requests to names fail with a clear refusal instead of asking DNS',
	async (t) => {
		const error = await connectError('forbidden-a.invalid');
		t.is(error.code, 'ENOTFOUND');
		t.regex(error.message, /testkit forbids real DNS in tests: getaddrinfo "forbidden-a.invalid"/);
		const viaHttp = await new Promise<NodeJS.ErrnoException>((resolve) =>
			get('http://forbidden-b.invalid/').once('error', resolve),
		);
		t.is(viaHttp.code, 'ENOTFOUND');
		t.deepEqual(guard.attempts.slice(-2), ['lookup forbidden-a.invalid', 'lookup forbidden-b.invalid']);
	},
);

test.serial(
	'promise lookups and resolver queries are refused too, also through ESM named imports',
	async (t) => {
		await t.throwsAsync(promisesLookup('forbidden-b.invalid'), { code: 'ENOTFOUND' });
		await t.throwsAsync(promisesResolveSrv('_matrix-fed._tcp.forbidden-b.invalid'), { code: 'ENOTFOUND' });
		await t.throwsAsync(new Resolver().resolveSrv('_matrix._tcp.forbidden-b.invalid'), { code: 'ENOTFOUND' });
		t.true(guard.attempts.includes('resolveSrv _matrix._tcp.forbidden-b.invalid'));
	},
);

test.serial('IP literals and localhost still work', async (t) => {
	const server = await startHttpServer();
	t.teardown(() => server.close());
	const status = await new Promise<number | undefined>((resolve, reject) =>
		get(`http://localhost:${server.port}/`, (response) => {
			response.resume();
			resolve(response.statusCode);
		}).once('error', reject),
	);
	t.is(status, 200);
	t.deepEqual(await promisesLookup('127.0.0.1'), { address: '127.0.0.1', family: 4 });
});
