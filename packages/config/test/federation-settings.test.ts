import test from 'ava';
import { ConfigError, DEFAULT_FEDERATION_RETRY, parseDuration } from '../src/index.js';
import { load } from './helpers.js';

test('the federation section has Synapse’s defaults', (t) => {
	t.deepEqual(load('').federation, {
		clientTimeoutMs: 60_000,
		maxShortRetryDelayMs: 2_000,
		maxLongRetryDelayMs: 60_000,
		maxShortRetries: 3,
		maxLongRetries: 10,
		destinationMinRetryIntervalMs: 600_000,
		destinationRetryMultiplier: 2,
		destinationMaxRetryIntervalMs: 604_800_000,
	});
	t.deepEqual(load('federation: null').federation, DEFAULT_FEDERATION_RETRY);
});

test('the manual’s example federation section is read with Synapse durations', (t) => {
	const config = load(`
federation:
  client_timeout: 180s
  max_short_retry_delay: 7s
  max_long_retry_delay: 100s
  max_short_retries: 5
  max_long_retries: 20
  destination_min_retry_interval: 30s
  destination_retry_multiplier: 5
  destination_max_retry_interval: 12h
`);
	t.deepEqual(config.federation, {
		clientTimeoutMs: 180_000,
		maxShortRetryDelayMs: 7_000,
		maxLongRetryDelayMs: 100_000,
		maxShortRetries: 5,
		maxLongRetries: 20,
		destinationMinRetryIntervalMs: 30_000,
		destinationRetryMultiplier: 5,
		destinationMaxRetryIntervalMs: 43_200_000,
	});
	t.deepEqual(config.warnings, []);
});

test('durations: integers and bare digits are milliseconds, suffixes s m h d w y', (t) => {
	t.is(parseDuration(1500), 1500);
	t.is(parseDuration('1500'), 1500);
	t.is(parseDuration('60s'), 60_000);
	t.is(parseDuration('10m'), 600_000);
	t.is(parseDuration('2h'), 7_200_000);
	t.is(parseDuration('1d'), 86_400_000);
	t.is(parseDuration('1w'), 604_800_000);
	t.is(parseDuration('1y'), 31_536_000_000);
	for (const bad of ['10 minutes', '1.5h', '-5s', '10M', '', -1, 1.5, true]) {
		t.is(typeof parseDuration(bad), 'string', String(bad));
	}
});

test('bad federation values are configuration errors naming each key', (t) => {
	const error = t.throws(
		() =>
			load(
				'federation: {client_timeout: soon, max_long_retries: -1, destination_retry_multiplier: 0.5, destination_min_retry_interval: 0}',
			),
		{ instanceOf: ConfigError },
	);
	t.deepEqual(error.problems.map((problem) => problem.key).sort(), [
		'federation.destination_retry_multiplier',
		'federation.max_long_retries',
	]);
	const second = t.throws(
		() => load('federation: {client_timeout: soon, destination_min_retry_interval: 0}'),
		{
			instanceOf: ConfigError,
		},
	);
	t.deepEqual(
		second.problems.map((problem) => problem.key),
		['federation.client_timeout', 'federation.destination_min_retry_interval'],
	);
});

test('federation_client_minimum_tls_version: 1, 1.1, 1.2, 1.3 as text or number; default 1', (t) => {
	t.is(load('').tls.federationMinimumTlsVersion, 'TLSv1');
	t.is(load('federation_client_minimum_tls_version: "1.1"').tls.federationMinimumTlsVersion, 'TLSv1.1');
	t.is(load('federation_client_minimum_tls_version: 1.2').tls.federationMinimumTlsVersion, 'TLSv1.2');
	t.is(load("federation_client_minimum_tls_version: '1.3'").tls.federationMinimumTlsVersion, 'TLSv1.3');
	t.is(load('federation_client_minimum_tls_version: 1').tls.federationMinimumTlsVersion, 'TLSv1');
	for (const bad of ['"1.4"', '"TLSv1.2"', '2', 'true']) {
		const error = t.throws(() => load(`federation_client_minimum_tls_version: ${bad}`), {
			instanceOf: ConfigError,
		});
		t.is(error.problems[0]?.key, 'federation_client_minimum_tls_version', bad);
	}
});

test('federation_certificate_verification_whitelist keeps Synapse’s globs, lower case; non-ASCII is refused', (t) => {
	t.deepEqual(load('').tls.federationCertificateVerificationWhitelist, []);
	t.deepEqual(
		load('federation_certificate_verification_whitelist: [lon.example.com, "*.Domain.com", "*.onion"]').tls
			.federationCertificateVerificationWhitelist,
		['lon.example.com', '*.domain.com', '*.onion'],
	);
	const error = t.throws(
		() => load('federation_certificate_verification_whitelist: [ok.example, "bücher.example"]'),
		{
			instanceOf: ConfigError,
		},
	);
	t.is(error.problems[0]?.key, 'federation_certificate_verification_whitelist[1]');
	t.regex(error.problems[0]?.reason ?? '', /xn--/);
});

test('prevent_media_downloads_from is a lower-case list, empty by default', (t) => {
	t.deepEqual(load('').preventMediaDownloadsFrom, []);
	t.deepEqual(
		load('prevent_media_downloads_from: [Evil.Example.org, "evil2.example.org:8448"]')
			.preventMediaDownloadsFrom,
		['evil.example.org', 'evil2.example.org:8448'],
	);
	const error = t.throws(() => load('prevent_media_downloads_from: evil.example.org'), {
		instanceOf: ConfigError,
	});
	t.is(error.problems[0]?.key, 'prevent_media_downloads_from');
});
