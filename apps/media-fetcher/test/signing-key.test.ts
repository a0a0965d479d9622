// A missing or malformed signing key stops the remote source with federation's own code, as in the sender.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@homeserver/config';
import { isFederationError } from '@homeserver/federation';
import test from 'ava';
import { pino } from 'pino';
import { createRemoteSourceFromConfig } from '../src/index.js';

const logger = pino({ level: 'silent' });

test('no usable signing key is federation’s ERR_SIGNING_KEY_MISSING or ERR_SIGNING_KEY_INVALID, unchanged', async (t) => {
	const dir = await mkdtemp(join(tmpdir(), 'media-fetcher-key-'));
	t.teardown(() => rm(dir, { recursive: true, force: true }));
	await writeFile(join(dir, 'bad.key'), 'ed25519 a_bcd not-base64!\n');
	const configWith = (key: string | undefined) =>
		loadConfig({
			env: {},
			configPath: join(dir, 'homeserver.yaml'),
			yamlText: ['server_name: media.test', ...(key === undefined ? [] : [`signing_key_path: ${key}`])].join(
				'\n',
			),
		});
	const unset = await t.throwsAsync(createRemoteSourceFromConfig(configWith(undefined), { logger }));
	t.true(isFederationError(unset, 'ERR_SIGNING_KEY_MISSING'));
	t.regex(unset.message, /^signing_key_path is not set/);
	const unreadable = await t.throwsAsync(createRemoteSourceFromConfig(configWith('nowhere.key'), { logger }));
	t.true(isFederationError(unreadable, 'ERR_SIGNING_KEY_MISSING'));
	const malformed = await t.throwsAsync(createRemoteSourceFromConfig(configWith('bad.key'), { logger }));
	t.true(isFederationError(malformed, 'ERR_SIGNING_KEY_INVALID'));
	t.true(malformed.message.startsWith(`signing key file ${join(dir, 'bad.key')} line 1: `));
});
