import { readFileSync } from 'node:fs';
import test from 'ava';
import { loadConfig, OUTBOUND_NOT_HONOURED, SYNAPSE_KEYS, SYNAPSE_MANUAL_KEYS } from '../src/index.js';
import { load } from './helpers.js';

const fixture = (name: string): URL => new URL(`fixtures/${name}`, import.meta.url);
const headings = readFileSync(fixture('synapse-manual-headings.txt'), 'utf8').split(/\s+/).filter(Boolean);
const SAMPLE = fixture('synapse-sample.yaml').pathname;

test('the accepted keys are exactly the headings of Synapse’s configuration manual, in its order', (t) => {
	t.deepEqual([...SYNAPSE_MANUAL_KEYS], headings);
	t.true(headings.length > 200);
});

test('worker keys are accepted in silence', (t) => {
	const workerKeys = [
		'worker_app',
		'worker_name',
		'instance_map',
		'stream_writers',
		'run_background_tasks_on',
		'worker_replication_secret',
		'worker_listeners',
		'worker_log_config',
		'redis',
	];
	for (const key of workerKeys) t.true(SYNAPSE_KEYS.has(key), key);
	const yaml = workerKeys.map((key) => `${key}: null`).join('\n');
	t.deepEqual(load(yaml).warnings, []);
});

test('a key neither we nor Synapse know still draws the typo warning', (t) => {
	t.deepEqual(load('federation_sender_instance: [sender1]').warnings, [
		'unknown key "federation_sender_instance" ignored (neither this program nor Synapse knows it; a typo?)',
	]);
});

test('every key of the outbound list is a Synapse key and says what differs', (t) => {
	t.true(OUTBOUND_NOT_HONOURED.size > 0);
	for (const [key, why] of OUTBOUND_NOT_HONOURED) {
		t.true(SYNAPSE_KEYS.has(key), key);
		t.true(why.length > 10, key);
	}
});

test('keys we honour are not in the outbound list', (t) => {
	for (const key of [
		'federation_certificate_verification_whitelist',
		'federation_client_minimum_tls_version',
		'federation',
		'prevent_media_downloads_from',
		'http_proxy',
		'no_proxy_hosts',
		'federation_custom_ca_list',
		'federation_domain_whitelist',
		'remote_media_download_burst_count',
		'remote_media_download_per_second',
	]) {
		t.false(OUTBOUND_NOT_HONOURED.has(key), key);
	}
});

test('set outbound keys we do not honour draw one warning naming each of them', (t) => {
	const config = load(
		'outbound_federation_restricted_to: [federation_sender1]\nuser_agent_suffix: " (corp)"\nfederation_sender_instances: [s1, s2]\nmax_upload_size: 1M',
	);
	t.is(config.warnings.length, 1);
	const [warning] = config.warnings;
	t.regex(warning ?? '', /^Synapse settings that change outbound traffic are set but not honoured/);
	for (const key of [
		'outbound_federation_restricted_to',
		'user_agent_suffix',
		'federation_sender_instances',
	]) {
		t.true(warning?.includes(`${key} (`), key);
	}
	t.false(warning?.includes('max_upload_size'));
});

test('outbound keys that are off (null, empty text, enabled: false) draw no warning', (t) => {
	t.deepEqual(
		load('outbound_federation_restricted_to: null\nuser_agent_suffix: ""\nopentracing: {enabled: false}')
			.warnings,
		[],
	);
});

test('an empty list is set: it is a value Synapse acts on, not an absent key', (t) => {
	const [warning] = load('federation_sender_instances: []').warnings;
	t.true(warning?.includes('federation_sender_instances ('));
});

test('Synapse’s documented examples, every key of the manual, load with no false warning', (t) => {
	const config = loadConfig({ env: {}, configPath: SAMPLE });
	const raw = readFileSync(SAMPLE, 'utf8');
	for (const key of headings) t.true(new RegExp(`^${key}:`, 'm').test(raw), `the sample sets ${key}`);
	t.false(
		config.warnings.some((warning) => warning.startsWith('unknown key')),
		config.warnings.join('\n'),
	);
	// The two warnings left are true: the manual's example turns federation certificate checks off, and one names
	// the outbound keys we do not honour, all of them but send_federation (its example is `false`: off).
	t.is(config.warnings.length, 2, config.warnings.join('\n'));
	t.is(
		config.warnings[1],
		'federation_verify_certificates is false: federation TLS certificates are NOT checked.',
	);
	t.regex(raw, /^send_federation: false$/m);
	const named = [...OUTBOUND_NOT_HONOURED.keys()].filter((key) => config.warnings[0]?.includes(`${key} (`));
	t.deepEqual(
		named,
		[...OUTBOUND_NOT_HONOURED.keys()].filter((key) => key !== 'send_federation'),
	);
	// And the keys we read took the manual's example values.
	t.is(config.serverName, 'matrix.org');
	t.is(config.federation.clientTimeoutMs, 180_000);
	t.is(config.tls.federationMinimumTlsVersion, 'TLSv1.2');
	t.deepEqual(config.preventMediaDownloadsFrom, ['evil.example.org', 'evil2.example.org']);
});
