/**
 * `media-fetcher fetch <mxc://server/id> --config FILE [--output FILE]`: downloads one piece of remote media
 * into the store (or finds it there), then writes it to `--output` or to stdout. Progress goes to stderr.
 */
import { createReadStream } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { UsageError } from '@homeserver/outbound-http';
import { pino } from 'pino';
import { openMediaFetcher } from '../app.js';
import { formatMxc, parseMxc } from '../media-id.js';
import type { CliIo } from './io.js';
import { createProgressReporter, formatBytes } from './progress.js';

/** Runs `fetch`; resolves with the exit code. */
export async function fetchCommand(args: string[], io: CliIo): Promise<number> {
	const { values, positionals } = parseArgs({
		args,
		allowPositionals: true,
		options: { config: { type: 'string' }, output: { type: 'string' } },
	});
	if (positionals.length !== 1) {
		throw new UsageError('fetch takes exactly one mxc:// URI');
	}
	const ref = parseMxc(positionals[0]!);
	const config = io.loadConfig(values.config);
	const logger = pino({ level: 'warn' }, io.stderr);
	const fetcher = await openMediaFetcher(config, { ...io.remote, logger });
	try {
		const progress = createProgressReporter(io.stderr, io.stderrIsTty, formatMxc(ref));
		const { media, result } = await fetcher.service.get(ref, {
			onProgress: (received, total) => progress.update(received, total),
		});
		progress.finish();
		if (values.output === undefined) {
			await pipeline(createReadStream(media.path), io.stdout, { end: false });
		} else {
			await copyFile(media.path, values.output);
		}
		const where = result === 'hit' ? 'already stored' : 'downloaded';
		io.stderr.write(
			`${formatMxc(ref)}: ${where}, ${formatBytes(media.size)} (${media.size} bytes), ${media.contentType}, sha256 ${media.sha256}\n`,
		);
		return 0;
	} finally {
		await fetcher.close();
	}
}
