import test from 'ava';
import { ConfigError } from '../src/index.js';
import { CONFIG_PATH, load } from './helpers.js';

// Bad values of every key: [yaml, key named, reason pattern].
const badValues: [yaml: string, key: string, reason: RegExp][] = [
	['server_name: ""', 'server_name', /must not be empty/],
	['server_name: "exa mple.org"', 'server_name', /not a valid server name/],
	['server_name: "example.org:99999"', 'server_name', /not a valid server name/],
	['server_name: "exa\\r\\nmple.org"', 'server_name', /not a valid server name: it contains U\+000D/],
	['server_name: "example.org/evil"', 'server_name', /not a valid server name: it contains U\+002F/],
	['server_name: "example.org?x=1"', 'server_name', /it contains U\+003F/],
	['server_name: "example.org#x"', 'server_name', /it contains U\+0023/],
	['server_name: "exa\\tmple.org"', 'server_name', /it contains U\+0009/],
	['server_name: "ex%41mple.org"', 'server_name', /it contains U\+0025/],
	['server_name: "example.org\\u202e"', 'server_name', /it contains U\+202E/],
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
	['federation_sender: {send_timeout_ms: 0}', 'federation_sender.send_timeout_ms', /at least 1/],
	[
		'federation_sender: {well_known_timeout_ms: 1.5}',
		'federation_sender.well_known_timeout_ms',
		/whole number/,
	],
	['federation_sender: {srv_timeout_ms: "5s"}', 'federation_sender.srv_timeout_ms', /whole number/],
	['federation_sender: {max_concurrent_sends: 0}', 'federation_sender.max_concurrent_sends', /at least 1/],
	[
		'federation_sender: {max_concurrent_resolutions: 100000}',
		'federation_sender.max_concurrent_resolutions',
		/at most 10000/,
	],
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
	['federation_sender: {lease_ttl: 10 seconds}', 'federation_sender.lease_ttl', /duration like "30s"/],
	['federation_sender: {retention: -1}', 'federation_sender.retention', /negative|duration/],
	['federation_sender: {catch_up_after: 1 hour}', 'federation_sender.catch_up_after', /duration like "30s"/],
	['federation_sender: {catch_up_after: -5}', 'federation_sender.catch_up_after', /must not be negative/],
	[
		'federation_sender: {ephemeral_edus: {types: m.typing}}',
		'federation_sender.ephemeral_edus.types',
		/list of EDU types/,
	],
	['media_fetcher: {listen: {port: 1.5}}', 'media_fetcher.listen.port', /whole number/],
	[
		'media_fetcher: {listen: {port: 1, bind_address: "not valid!"}}',
		'media_fetcher.listen.bind_address',
		/not an IP address or host name/,
	],
	['media_fetcher: {metrics: {port: "9102"}}', 'media_fetcher.metrics.port', /whole number/],
	['media_fetcher: {max_downloads_per_server: 0}', 'media_fetcher.max_downloads_per_server', /1 or more/],
	[
		'media_fetcher: {download_queue_timeout_ms: 1.5}',
		'media_fetcher.download_queue_timeout_ms',
		/whole number/,
	],
	['media_fetcher: {download_timeout_ms: 0}', 'media_fetcher.download_timeout_ms', /1 ms or more/],
	['media_fetcher: {min_download_rate: fast}', 'media_fetcher.min_download_rate', /not a size/],
	['remote_media_download_per_second: 0', 'remote_media_download_per_second', /more than 0/],
	['remote_media_download_burst_count: lots', 'remote_media_download_burst_count', /not a size/],
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
