import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ConfigError, DEFAULT_IP_RANGE_BLOCKLIST, loadConfig } from '../src/index.js';
import type { Config } from '../src/index.js';
import { CONFIG_PATH, load } from './helpers.js';

const CA_PEM = readFileSync(new URL('fixtures/ca.pem', import.meta.url), 'utf8');

function tempDir(): { dir: string; [Symbol.dispose](): void } {
	const dir = mkdtempSync(join(tmpdir(), 'config-test-'));
	return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

test('built-in defaults: no file, paths relative to the working directory', (t) => {
	const config = loadConfig({ env: {}, cwd: '/work/here' });
	t.is(config.configPath, null);
	t.is(config.baseDir, '/work/here');
	t.is(config.serverName, 'localhost');
	t.is(config.signingKeyPath, null);
	t.is(config.proxy.http, null);
	t.is(config.proxy.https, null);
	t.deepEqual(config.proxy.noProxy, { entries: [], matchAll: false, source: 'none' });
	t.deepEqual(config.tls, {
		insecureSkipVerify: false,
		federationVerifyCertificates: true,
		federationCustomCa: null,
	});
	t.is(config.maxUploadSize, 52_428_800);
	t.is(config.mediaStorePath, '/work/here/media_store');
	t.deepEqual(config.federationSender, {
		database: { kind: 'sqlite', path: '/work/here/federation-sender.db' },
		metrics: null,
	});
	t.deepEqual(config.mediaFetcher, {
		listen: { bindAddress: '127.0.0.1', port: 8090 },
		database: { kind: 'sqlite', path: '/work/here/media-fetcher.db' },
		metrics: null,
	});
	t.deepEqual(config.warnings, []);
});

test("the default blocklist is Synapse's list plus 0.0.0.0 and ::, with derived forms; the allowlist is empty", (t) => {
	const policy = load().purposes.push.ipPolicy;
	t.is(policy?.blocklistKey, 'ip_range_blacklist');
	t.is(policy?.allowlistKey, 'ip_range_whitelist');
	t.deepEqual(policy?.allowlist, []);
	const written = policy?.blocklist
		.filter((range) => range.derivedFrom === undefined)
		.map((range) => range.raw);
	t.deepEqual(written, [...DEFAULT_IP_RANGE_BLOCKLIST, '0.0.0.0', '::']);
	t.true(policy?.blocklist.some((range) => range.network === '64:ff9b::7f00:0' && range.prefix === 104));
});

test('an operator blocklist replaces the default but 0.0.0.0 and :: stay blocked', (t) => {
	for (const key of ['ip_range_blacklist', 'ip_range_blocklist']) {
		const policy = load(`${key}: [1.0.0.0/8]`).purposes.push.ipPolicy;
		t.is(policy?.blocklistKey, key);
		t.deepEqual(
			policy?.blocklist.filter((range) => range.derivedFrom === undefined).map((range) => range.raw),
			['1.0.0.0/8', '0.0.0.0', '::'],
		);
	}
	const empty = load('ip_range_blacklist: []').purposes.push.ipPolicy;
	t.deepEqual(
		empty?.blocklist.filter((range) => range.derivedFrom === undefined).map((range) => range.raw),
		['0.0.0.0', '::'],
	);
});

test('the allowlist aliases both work and get derived forms', (t) => {
	for (const key of ['ip_range_whitelist', 'ip_range_allowlist']) {
		const policy = load(`${key}: [10.1.0.0/16]`).purposes.push.ipPolicy;
		t.is(policy?.allowlistKey, key);
		t.deepEqual(
			policy?.allowlist.map((range) => `${range.network}/${range.prefix}`),
			['10.1.0.0/16', '::ffff:a01:0/112', '::a01:0/112', '2002:a01::/32', '64:ff9b::a01:0/112'],
		);
	}
});

test('both spellings of one list is an error', (t) => {
	const error = t.throws(() => load('ip_range_blacklist: []\nip_range_blocklist: []'), {
		instanceOf: ConfigError,
	});
	t.is(error.problems[0]?.key, 'ip_range_blacklist, ip_range_blocklist');
});

test('relative paths resolve against the configuration file directory', (t) => {
	const config = load(`
signing_key_path: keys/example.signing.key
media_store_path: ../media
federation_custom_ca_list: []
federation_sender:
  database: {name: sqlite3, args: {database: data/sender.sqlite}}
media_fetcher:
  database: {name: sqlite3, args: {database: /var/lib/media.sqlite}}
`);
	t.is(config.configPath, CONFIG_PATH);
	t.is(config.baseDir, '/srv/synapse');
	t.is(config.signingKeyPath, '/srv/synapse/keys/example.signing.key');
	t.is(config.mediaStorePath, '/srv/media');
	t.deepEqual(config.federationSender.database, { kind: 'sqlite', path: '/srv/synapse/data/sender.sqlite' });
	t.deepEqual(config.mediaFetcher.database, { kind: 'sqlite', path: '/var/lib/media.sqlite' });
	t.deepEqual(
		config.federationSender.database.kind === 'sqlite' && config.federationSender.database.path,
		'/srv/synapse/data/sender.sqlite',
	);
});

test('defaults for our sections sit beside the configuration file', (t) => {
	const config = load();
	t.deepEqual(config.federationSender.database, {
		kind: 'sqlite',
		path: '/srv/synapse/federation-sender.db',
	});
	t.deepEqual(config.mediaFetcher.database, { kind: 'sqlite', path: '/srv/synapse/media-fetcher.db' });
	t.is(config.mediaStorePath, '/srv/synapse/media_store');
});

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

test('our sections: PostgreSQL, metrics and listen', (t) => {
	const config = load(`
federation_sender:
  database:
    name: psycopg2
    args: {user: synapse, password: Pg-Secret-77, dbname: sender, host: db.internal, port: "5433", cp_min: 5}
  metrics: {bind_address: 127.0.0.1, port: 9101}
media_fetcher:
  listen: {bind_address: "::1", port: 0}
  metrics: {port: 9102}
`);
	const database = config.federationSender.database;
	t.is(database.kind, 'postgres');
	if (database.kind === 'postgres') {
		t.is(database.host, 'db.internal');
		t.is(database.port, 5433);
		t.is(database.user, 'synapse');
		t.is(database.database, 'sender');
		t.is(database.password, 'Pg-Secret-77');
	}
	t.deepEqual(config.federationSender.metrics, { bindAddress: '127.0.0.1', port: 9101 });
	t.deepEqual(config.mediaFetcher.listen, { bindAddress: '::1', port: 0 });
	t.deepEqual(config.mediaFetcher.metrics, { bindAddress: '127.0.0.1', port: 9102 });
});

test('YAML is read as YAML 1.1, like Synapse (yes/no are booleans)', (t) => {
	const config = load(
		'use_insecure_ssl_client_just_for_testing_do_not_use: yes\nfederation_verify_certificates: no',
	);
	t.true(config.tls.insecureSkipVerify);
	t.false(config.tls.federationVerifyCertificates);
});

test('insecure TLS and disabled federation verification each warn loudly', (t) => {
	const { warnings } = load(
		'use_insecure_ssl_client_just_for_testing_do_not_use: true\nfederation_verify_certificates: false',
	);
	t.true(
		warnings.some((warning) =>
			warning.includes('use_insecure_ssl_client_just_for_testing_do_not_use is true'),
		),
	);
	t.true(warnings.some((warning) => warning.includes('federation_verify_certificates is false')));
});

test("Synapse's own keys are accepted silently; unknown keys draw a warning naming them", (t) => {
	const config = load(`
server_name: example.org
database: {name: psycopg2, args: {user: synapse}}
listeners: [{port: 8008, type: http}]
log_config: /etc/synapse/log.yaml
report_stats: false
pid_file: /run/synapse.pid
macaroon_secret_key: abc
registration_shared_secret: def
trusted_key_servers: [{server_name: matrix.org}]
public_baseurl: https://example.org/
url_preview_enabled: true
http_proxi: http://typo:1
federation_sender: {databse: {}}
media_fetcher: {listen: {port: 1, bind: x}}
`);
	t.deepEqual(config.warnings, [
		'unknown key "http_proxi" ignored (neither this program nor Synapse knows it; a typo?)',
		'unknown key "federation_sender.databse" ignored (known keys there: database, metrics)',
		'unknown key "media_fetcher.listen.bind" ignored (known keys there: bind_address, port)',
	]);
});

test('YAML syntax errors give the position but never the line text', (t) => {
	const error = t.throws(() => load('http_proxy: "http://u:Yaml-Secret-5@p:1\nserver_name: [oops'), {
		instanceOf: ConfigError,
	});
	t.true(error.problems.length >= 1);
	t.is(error.problems[0]?.key, '(YAML)');
	t.regex(error.problems[0]?.reason ?? '', /YAML syntax error at line \d+, column \d+/);
	t.false(error.message.includes('Yaml-Secret-5'));
});

test('a YAML document that is not a mapping is an error', (t) => {
	const error = t.throws(() => load('- a\n- b'), { instanceOf: ConfigError });
	t.regex(error.message, /must be a YAML mapping/);
	t.notThrows(() => load('# only a comment\n'));
});

test('duplicate keys are an error', (t) => {
	const error = t.throws(() => load('server_name: a\nserver_name: b'), { instanceOf: ConfigError });
	t.regex(error.problems[0]?.reason ?? '', /YAML syntax error/);
});

// Bad values of every key: [yaml, key named, reason pattern].
const badValues: [yaml: string, key: string, reason: RegExp][] = [
	['server_name: ""', 'server_name', /must not be empty/],
	['server_name: "exa mple.org"', 'server_name', /not a valid server name/],
	['server_name: "example.org:99999"', 'server_name', /not a valid server name/],
	['server_name: 42', 'server_name', /expected string/],
	['signing_key_path: ""', 'signing_key_path', /non-empty path/],
	['signing_key_path: [a]', 'signing_key_path', /expected string/],
	['http_proxy: 8080', 'http_proxy', /must be a string or null/],
	['http_proxy: "socks5://p:1"', 'http_proxy (homeserver.yaml)', /only http and https proxies are supported/],
	['https_proxy: "http://p:0"', 'https_proxy (homeserver.yaml)', /port 0 is out of range/],
	['https_proxy: "http://p:1/x"', 'https_proxy (homeserver.yaml)', /path other than/],
	['https_proxy: {a: 1}', 'https_proxy', /must be a string or null/],
	['no_proxy_hosts: example.com', 'no_proxy_hosts', /must be a list of strings or null/],
	['no_proxy_hosts: [1.2.3.4/64]', 'no_proxy_hosts[0] (homeserver.yaml)', /too long/],
	['no_proxy_hosts: [ok.example, 5]', 'no_proxy_hosts[1]', /expected string/],
	['ip_range_blacklist: [not-an-ip]', 'ip_range_blacklist[0]', /not an IP address or CIDR range/],
	['ip_range_blocklist: [1.2.3.4/128]', 'ip_range_blocklist[0]', /too long/],
	['ip_range_whitelist: [":::"]', 'ip_range_whitelist[0]', /not an IP address/],
	['ip_range_allowlist: 10.0.0.0/8', 'ip_range_allowlist', /expected array/],
	['federation_ip_range_blacklist: [x]', 'federation_ip_range_blacklist[0]', /not an IP address/],
	['federation_ip_range_blocklist: [10.0.0.0/40]', 'federation_ip_range_blocklist[0]', /too long/],
	['url_preview_ip_range_blacklist: [x]', 'url_preview_ip_range_blacklist[0]', /not an IP address/],
	[
		'url_preview_ip_range_blacklist: []\nurl_preview_ip_range_whitelist: [zzz]',
		'url_preview_ip_range_whitelist[0]',
		/not an IP/,
	],
	[
		'use_insecure_ssl_client_just_for_testing_do_not_use: "sure"',
		'use_insecure_ssl_client_just_for_testing_do_not_use',
		/true or false/,
	],
	['federation_verify_certificates: 1', 'federation_verify_certificates', /true or false/],
	['federation_custom_ca_list: ca.pem', 'federation_custom_ca_list', /list of file paths/],
	['max_upload_size: 50MB', 'max_upload_size', /not a size/],
	['max_upload_size: -5', 'max_upload_size', /whole number of bytes/],
	['max_upload_size: 0', 'max_upload_size', /more than 0/],
	['max_upload_size: [1]', 'max_upload_size', /size like "50M"/],
	['media_store_path: ""', 'media_store_path', /non-empty path/],
	['outbound_proxy_purposes: [push]', 'outbound_proxy_purposes', /mapping of purpose/],
	[
		'federation_sender: {database: {name: mysql}}',
		'federation_sender.database.name',
		/"sqlite3" or "psycopg2"/,
	],
	[
		'federation_sender: {database: {name: sqlite3, args: {database: ""}}}',
		'federation_sender.database.args.database',
		/non-empty path/,
	],
	[
		'federation_sender: {database: {name: psycopg2, args: {port: abc}}}',
		'federation_sender.database.args.port',
		/port number/,
	],
	['federation_sender: {metrics: {port: 70000}}', 'federation_sender.metrics.port', /0 to 65535/],
	[
		'federation_sender: {metrics: {bind_address: 127.0.0.1}}',
		'federation_sender.metrics.port',
		/is required/,
	],
	['federation_sender: []', 'federation_sender', /expected object/],
	['media_fetcher: {listen: {port: 1.5}}', 'media_fetcher.listen.port', /whole number/],
	[
		'media_fetcher: {listen: {port: 1, bind_address: "not valid!"}}',
		'media_fetcher.listen.bind_address',
		/not an IP address or host name/,
	],
	['media_fetcher: {metrics: {port: "9102"}}', 'media_fetcher.metrics.port', /whole number/],
];

for (const [yaml, key, reason] of badValues) {
	test(`bad value: ${yaml.replaceAll('\n', '; ')} names ${key}`, (t) => {
		const error = t.throws(() => load(yaml), { instanceOf: ConfigError });
		const problem = error.problems.find((item) => item.key === key);
		t.truthy(problem, `problems: ${JSON.stringify(error.problems)}`);
		t.regex(problem?.reason ?? '', reason);
		t.true(error.message.includes(key));
	});
}

test('every problem is reported at once, YAML and environment together, in a readable message', (t) => {
	const error = t.throws(
		() =>
			load(
				`
server_name: ""
http_proxy: "socks5://proxy:1080"
no_proxy_hosts: [10.0.0.0/99]
ip_range_blacklist: [not-an-ip]
max_upload_size: lots
federation_sender: {metrics: {port: -1}}
outbound_proxy_purposes: {replication: true}
`,
				{ HTTPS_PROXY: 'http://p:0' },
			),
		{ instanceOf: ConfigError },
	);
	t.is(error.code, 'ERR_CONFIG_INVALID');
	t.deepEqual(error.problems.map((problem) => problem.key).sort(), [
		'HTTPS_PROXY (environment)',
		'federation_sender.metrics.port',
		'http_proxy (homeserver.yaml)',
		'ip_range_blacklist[0]',
		'max_upload_size',
		'no_proxy_hosts[0] (homeserver.yaml)',
		'outbound_proxy_purposes.replication',
		'server_name',
	]);
	const lines = error.message.split('\n');
	t.is(lines[0], `Invalid configuration (${CONFIG_PATH}), 8 problems:`);
	t.is(lines.length, 9);
	t.true(lines.slice(1).every((line) => line.startsWith('  - ')));
	t.true(Object.isFrozen(error.problems));
});

function assertDeeplyFrozen(
	t: { true(value: boolean, message?: string): void },
	value: unknown,
	path: string,
): void {
	if (value === null || typeof value !== 'object') {
		return;
	}
	t.true(Object.isFrozen(value), path);
	for (const [key, child] of Object.entries(value)) {
		assertDeeplyFrozen(t, child, `${path}.${key}`);
	}
}

test('the configuration is deeply frozen', (t) => {
	const config: Config = load(
		'http_proxy: http://u:p@proxy:1\nno_proxy_hosts: [a.example, 10.0.0.0/8]\nfederation_sender: {metrics: {port: 1}}',
	);
	assertDeeplyFrozen(t, config, 'config');
	t.throws(() => {
		(config.proxy.noProxy.entries as unknown[]).push({});
	});
	t.throws(() => {
		(config.purposes.push as { proxied: boolean }).proxied = false;
	});
	t.throws(() => {
		(config.warnings as string[]).push('x');
	});
});

test('YAML errors that quote a token do not repeat it', (t) => {
	for (const yaml of [
		'a: |x Yaml-Secret-6\n  b',
		'%YAML Yaml-Secret-6\n---\na: 1',
		'\t@Yaml-Secret-6',
		'a: *Yaml-Secret-6',
	]) {
		const error = t.throws(() => load(yaml), { instanceOf: ConfigError });
		t.false(error.message.includes('Yaml-Secret-6'), `${yaml} -> ${error.message}`);
	}
});
