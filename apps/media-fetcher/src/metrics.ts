/**
 * Prometheus metrics of the media fetcher, on a registry of its own (served at `/metrics` on
 * `media_fetcher.metrics`), the outbound stack's counters included. Labels are small fixed sets: never a server
 * name, URL or credential.
 */
import { createOutboundMetrics, type OutboundMetrics } from '@homeserver/outbound-http';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Where a served file came from. */
export type LookupResult = 'hit' | 'miss' | 'shared';

/** The metrics, created once per process (or per test). */
export class MediaMetrics {
	readonly registry: Registry;
	/** Local lookups: `hit` (in the store), `miss` (a download started), `shared` (joined a running download). */
	readonly lookups: Counter<'result'>;
	/** Finished remote downloads by outcome: `ok` or an error code. */
	readonly downloads: Counter<'outcome'>;
	/** Media bytes stored from remotes. */
	readonly downloadedBytes: Counter;
	/** Duration of remote downloads, seconds. */
	readonly downloadSeconds: Histogram;
	/** HTTP responses of `serve` by status code. */
	readonly responses: Counter<'status'>;
	/**
	 * The outbound stack's counters in this registry (`outbound_requests_total{purpose,route}`,
	 * `outbound_request_errors_total{purpose,code}`): give them to `createOutboundHttp` as `metrics`.
	 */
	readonly outbound: OutboundMetrics;

	constructor(options: { readonly defaultMetrics?: boolean } = {}) {
		this.registry = new Registry();
		const registers = [this.registry];
		this.lookups = new Counter({
			name: 'media_fetcher_lookups_total',
			help: 'Media lookups by result (hit, miss, shared).',
			labelNames: ['result'],
			registers,
		});
		this.downloads = new Counter({
			name: 'media_fetcher_downloads_total',
			help: 'Remote media downloads by outcome (ok or an error code).',
			labelNames: ['outcome'],
			registers,
		});
		this.downloadedBytes = new Counter({
			name: 'media_fetcher_downloaded_bytes_total',
			help: 'Bytes of remote media stored.',
			registers,
		});
		this.downloadSeconds = new Histogram({
			name: 'media_fetcher_download_duration_seconds',
			help: 'Duration of remote media downloads.',
			buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
			registers,
		});
		this.responses = new Counter({
			name: 'media_fetcher_http_responses_total',
			help: 'Responses of the media HTTP service by status code.',
			labelNames: ['status'],
			registers,
		});
		this.outbound = createOutboundMetrics(this.registry);
		if (options.defaultMetrics === true) {
			collectDefaultMetrics({ register: this.registry });
		}
	}
}
