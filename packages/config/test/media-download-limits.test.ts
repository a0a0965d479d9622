import test from 'ava';
import { load } from './helpers.js';

test('media_fetcher download limits are read from the section, sizes in Synapse notation', (t) => {
	const config = load(
		[
			'media_fetcher:',
			'  max_concurrent_downloads: 8',
			'  max_downloads_per_server: 2',
			'  download_queue_size: 0',
			'  download_queue_timeout_ms: 2000',
			'  download_timeout_ms: 30000',
			'  min_download_rate: 2K',
			'  download_rate_window_ms: 1500',
			'  slow_remote_backoff_ms: 0',
		].join('\n'),
	);
	t.deepEqual(config.mediaFetcher.downloads, {
		maxConcurrent: 8,
		maxPerServer: 2,
		queueSize: 0,
		queueTimeoutMs: 2000,
		timeoutMs: 30_000,
		minBytesPerSecond: 2048,
		rateWindowMs: 1500,
		slowRemoteBackoffMs: 0,
	});
	t.deepEqual(config.warnings, []);
});

test('min_download_rate 0 turns the rate guard off', (t) => {
	t.is(load('media_fetcher: {min_download_rate: 0}').mediaFetcher.downloads.minBytesPerSecond, 0);
});

test("Synapse's remote_media_download_* keys are read (no longer ignored), sizes like Synapse's", (t) => {
	const config = load('remote_media_download_burst_count: 10M\nremote_media_download_per_second: 100K');
	t.deepEqual(config.remoteMediaDownload, { burstBytes: 10 * 1024 * 1024, bytesPerSecond: 100 * 1024 });
	t.deepEqual(config.warnings, []);
});
