import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ConfigError, loadConfig, loadConfigFromProcess } from '../src/index.js';

const CA_PEM = readFileSync(new URL('fixtures/ca.pem', import.meta.url), 'utf8');

function tempDir(): { dir: string; [Symbol.dispose](): void } {
	const dir = mkdtempSync(join(tmpdir(), 'config-test-'));
	return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

test('a relative configPath resolves against cwd, and the file is read', (t) => {
	using temp = tempDir();
	writeFileSync(join(temp.dir, 'hs.yaml'), 'server_name: example.org\nmedia_store_path: m\n');
	const config = loadConfig({ env: {}, configPath: 'hs.yaml', cwd: temp.dir });
	t.is(config.configPath, join(temp.dir, 'hs.yaml'));
	t.is(config.serverName, 'example.org');
	t.is(config.mediaStorePath, join(temp.dir, 'm'));
});

test('HOMESERVER_CONFIG names the file when no configPath is given; configPath wins over it', (t) => {
	using temp = tempDir();
	writeFileSync(join(temp.dir, 'a.yaml'), 'server_name: a.example\n');
	writeFileSync(join(temp.dir, 'b.yaml'), 'server_name: b.example\n');
	const env = { HOMESERVER_CONFIG: join(temp.dir, 'a.yaml') };
	t.is(loadConfig({ env }).serverName, 'a.example');
	t.is(loadConfig({ env, configPath: join(temp.dir, 'b.yaml') }).serverName, 'b.example');
	t.is(loadConfig({ env: { HOMESERVER_CONFIG: '' }, cwd: temp.dir }).configPath, null);
});

test('a missing file is an error naming the file and where its name came from', (t) => {
	const missing = t.throws(() => loadConfig({ env: {}, configPath: '/nonexistent/hs.yaml' }), {
		instanceOf: ConfigError,
	});
	t.deepEqual(missing.problems, [
		{ key: 'configuration file', value: '"/nonexistent/hs.yaml"', reason: 'cannot read the file (ENOENT)' },
	]);
	const fromEnv = t.throws(() => loadConfig({ env: { HOMESERVER_CONFIG: '/nonexistent/hs.yaml' } }), {
		instanceOf: ConfigError,
	});
	t.is(fromEnv.problems[0]?.key, 'HOMESERVER_CONFIG (environment)');
});

test('federation_custom_ca_list files are read at load time, relative to the config file', (t) => {
	using temp = tempDir();
	writeFileSync(join(temp.dir, 'ca.pem'), CA_PEM);
	const config = loadConfig({
		env: {},
		configPath: join(temp.dir, 'hs.yaml'),
		yamlText: 'federation_custom_ca_list: [ca.pem]\nfederation_verify_certificates: true',
	});
	t.deepEqual(config.tls.federationCustomCa, [CA_PEM]);
	t.true(config.tls.federationVerifyCertificates);
});

test('an unreadable or non-PEM CA file is an error naming the file', (t) => {
	using temp = tempDir();
	writeFileSync(join(temp.dir, 'not-pem.txt'), 'hello');
	writeFileSync(
		join(temp.dir, 'broken.pem'),
		'-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
	);
	const error = t.throws(
		() =>
			loadConfig({
				env: {},
				configPath: join(temp.dir, 'hs.yaml'),
				yamlText: 'federation_custom_ca_list: [missing.pem, not-pem.txt, broken.pem]',
			}),
		{ instanceOf: ConfigError },
	);
	t.deepEqual(
		error.problems.map((problem) => [problem.key, problem.value]),
		[
			['federation_custom_ca_list[0]', JSON.stringify(join(temp.dir, 'missing.pem'))],
			['federation_custom_ca_list[1]', JSON.stringify(join(temp.dir, 'not-pem.txt'))],
			['federation_custom_ca_list[2]', JSON.stringify(join(temp.dir, 'broken.pem'))],
		],
	);
	t.regex(error.problems[0]?.reason ?? '', /cannot read the CA file \(ENOENT\)/);
	t.regex(error.problems[1]?.reason ?? '', /no PEM certificate/);
	t.regex(error.problems[2]?.reason ?? '', /not a valid X\.509 certificate/);
});

test('loadConfigFromProcess reads the named file with the real environment', (t) => {
	using temp = tempDir();
	writeFileSync(join(temp.dir, 'hs.yaml'), 'server_name: process.example\n');
	const config = loadConfigFromProcess(join(temp.dir, 'hs.yaml'));
	t.is(config.serverName, 'process.example');
	t.is(config.configPath, join(temp.dir, 'hs.yaml'));
	t.true(Object.isFrozen(config));
});
