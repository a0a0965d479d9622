/**
 * `media-fetcher serve --config FILE`: the HTTP service on `media_fetcher.listen` (and `/metrics` on
 * `media_fetcher.metrics`), with JSON logs on stdout, until stopped.
 */
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { UsageError } from '@homeserver/outbound-http';
import { pino } from 'pino';
import { startMediaFetcher } from '../app.js';
import { portOf } from '../serve/servers.js';
import type { CliIo } from './io.js';

/** Runs `serve` until `io.stop` aborts; resolves with the exit code. */
export async function serveCommand(args: string[], io: CliIo): Promise<number> {
	const { values, positionals } = parseArgs({
		args,
		allowPositionals: true,
		options: { config: { type: 'string' } },
	});
	if (positionals.length > 0) {
		throw new UsageError('serve takes no arguments');
	}
	const config = io.loadConfig(values.config);
	const logger = pino({ name: 'media-fetcher' }, io.stdout);
	const running = await startMediaFetcher(config, { defaultMetrics: true, ...io.remote, logger });
	const listen = config.mediaFetcher.listen;
	logger.info(
		{
			address: listen.bindAddress,
			port: portOf(running.server),
			metricsPort: running.metricsServer === null ? null : portOf(running.metricsServer),
			mediaStore: config.mediaStorePath,
		},
		'media-fetcher listening',
	);
	if (io.stop !== undefined && !io.stop.aborted) {
		await once(io.stop, 'abort');
	}
	logger.info('media-fetcher stopping');
	await running.close();
	return 0;
}
