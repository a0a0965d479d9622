// createFederationStack: the apps' one wiring of signing key, outbound stack and federation client.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loopbackLookup } from '@homeserver/testkit';
import test from 'ava';
import { pino } from 'pino';
import { createFederationStack, SigningKeyError, SigningKeyMissingError } from '../src/index.js';
import { configFor, HOSTS, ORIGIN, remoteServer, testPki } from './helpers/federation-net.js';

const logger = pino({ level: 'silent' });
const noDns = { resolveSrv: () => Promise.reject(new Error('no SRV lookups in this test')) };

test('the stack signs with the key of signing_key_path and reaches the remote through its outbound stack', async (t) => {
	const { dir, key } = await testPki();
	const keyFile = join(dir, 'stack.signing.key');
	await writeFile(keyFile, key.toKeyFileText(), { mode: 0o600 });
	const server = await remoteServer(t);
	const name = `testserv:${server.port}`;
	server.setServerName(name);
	const config = await configFor({}, [`signing_key_path: "${keyFile}"`]);
	const stack = await createFederationStack(config, {
		logger,
		lookup: loopbackLookup(HOSTS),
		dns: noDns,
		outbound: { retryLimit: 0 },
	});
	t.teardown(() => stack.close());
	t.is(stack.signingKey.keyId, key.keyId);
	const body = { origin: ORIGIN, origin_server_ts: 1_700_000_000_000, pdus: [], edus: [] };
	const answer = await stack.client.request(name, {
		method: 'PUT',
		path: '/_matrix/federation/v1/send/1',
		body,
	});
	t.is(answer.status, 200);
	t.like(server.requests[0], { authorization: 'valid' });
});

test('without a usable key nothing is built: unset or unreadable is ERR_SIGNING_KEY_MISSING, malformed ERR_SIGNING_KEY_INVALID', async (t) => {
	const { dir } = await testPki();
	await t.throwsAsync(createFederationStack(await configFor(), { logger }), {
		instanceOf: SigningKeyMissingError,
		code: 'ERR_SIGNING_KEY_MISSING',
	});
	const missing = await configFor({}, [`signing_key_path: "${join(dir, 'absent.key')}"`]);
	await t.throwsAsync(createFederationStack(missing, { logger }), { code: 'ERR_SIGNING_KEY_MISSING' });
	const badFile = join(dir, 'bad.signing.key');
	await writeFile(badFile, 'not a key file\n', { mode: 0o600 });
	const malformed = await configFor({}, [`signing_key_path: "${badFile}"`]);
	await t.throwsAsync(createFederationStack(malformed, { logger }), {
		instanceOf: SigningKeyError,
		code: 'ERR_SIGNING_KEY_INVALID',
	});
});
