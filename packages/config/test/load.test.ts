import test from 'ava';
import { ConfigError, DEFAULT_IP_RANGE_BLOCKLIST, loadConfig } from '../src/index.js';
import type { Config } from '../src/index.js';
import { CONFIG_PATH, load } from './helpers.js';

test('built-in defaults: no file, paths relative to the working directory', (t) => {
	const config = loadConfig({ env: {}, cwd: '/work/here' });
	t.is(config.configPath, null);
	t.is(config.baseDir, '/work/here');
	t.is(config.serverName, 'localhost');
	t.is(config.signingKeyPath, null);
	t.is(config.proxy.http, null);
	t.is(config.proxy.https, null);
	t.deepEqual(config.proxy.noProxy, { entries: [], matchAll: false, matchLocal: false, source: 'none' });
	t.deepEqual(config.tls, {
		insecureSkipVerify: false,
		federationVerifyCertificates: true,
		federationCustomCa: null,
		federationMinimumTlsVersion: 'TLSv1',
		federationCertificateVerificationWhitelist: [],
	});
	t.is(config.maxUploadSize, 52_428_800);
	t.is(config.mediaStorePath, '/work/here/media_store');
	t.deepEqual(config.federationSender, {
		database: { kind: 'sqlite', path: '/work/here/federation-sender.db' },
		metrics: null,
		sendTimeoutMs: 60_000,
		wellKnownTimeoutMs: 10_000,
		srvTimeoutMs: 5000,
		maxConcurrentSends: 32,
		maxConcurrentResolutions: 32,
		leaseTtlMs: 10_000,
		pollIntervalMs: 1000,
		retentionMs: 604_800_000,
		catchUpAfterMs: 3_600_000,
		ephemeralEdus: { types: ['m.typing', 'm.receipt', 'm.presence'], maxAgeMs: 600_000 },
	});
	t.deepEqual(config.mediaFetcher, {
		listen: { bindAddress: '127.0.0.1', port: 8090 },
		database: { kind: 'sqlite', path: '/work/here/media-fetcher.db' },
		metrics: null,
		downloads: {
			maxConcurrent: 16,
			maxPerServer: 4,
			queueSize: 64,
			queueTimeoutMs: 15_000,
			timeoutMs: 600_000,
			minBytesPerSecond: 1024,
			rateWindowMs: 10_000,
			slowRemoteBackoffMs: 60_000,
		},
	});
	t.deepEqual(config.remoteMediaDownload, { burstBytes: 500 * 1024 * 1024, bytesPerSecond: 87 * 1024 });
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
	t.true(policy?.blocklist.some((range) => String(range.cidr) === '64:ff9b::7f00:0/104'));
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
			policy?.allowlist.map((range) => String(range.cidr)),
			['10.1.0.0/16', '::a01:0/112', '2002:a01::/32', '64:ff9b::a01:0/112'],
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
		'unknown key "federation_sender.databse" ignored (known keys there: database, metrics, send_timeout_ms, ' +
			'well_known_timeout_ms, srv_timeout_ms, max_concurrent_sends, max_concurrent_resolutions, lease_ttl, ' +
			'poll_interval, retention, catch_up_after, ephemeral_edus)',
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

test('the federation sender limits are read from federation_sender: and frozen', (t) => {
	const config = load(
		'federation_sender:\n  send_timeout_ms: 3000\n  well_known_timeout_ms: 500\n  srv_timeout_ms: 200\n' +
			'  max_concurrent_sends: 4\n  max_concurrent_resolutions: 2\n',
	);
	t.like(config.federationSender, {
		sendTimeoutMs: 3000,
		wellKnownTimeoutMs: 500,
		srvTimeoutMs: 200,
		maxConcurrentSends: 4,
		maxConcurrentResolutions: 2,
	});
	t.true(Object.isFrozen(config.federationSender));
	t.deepEqual(config.warnings, []);
});

test('federation_sender timing keys take milliseconds or durations like "30s" and "7d"', (t) => {
	const config = load(
		'federation_sender: {lease_ttl: 3s, poll_interval: 250, retention: 2d, catch_up_after: 90m, ephemeral_edus: {types: [m.typing], max_age: 5m}}',
	);
	t.is(config.federationSender.catchUpAfterMs, 5_400_000);
	t.is(config.federationSender.leaseTtlMs, 3000);
	t.is(config.federationSender.pollIntervalMs, 250);
	t.is(config.federationSender.retentionMs, 172_800_000);
	t.deepEqual(config.federationSender.ephemeralEdus, { types: ['m.typing'], maxAgeMs: 300_000 });
});
