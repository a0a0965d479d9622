/**
 * What the CLI touches of the outside world, injectable so that tests run it in-process.
 */
import type { Writable } from 'node:stream';
import type { Config } from '@homeserver/config';
import type { MediaFetcherOptions } from '../app.js';

/** The CLI's environment. */
export interface CliIo {
	readonly stdout: Writable;
	readonly stderr: Writable;
	/** Whether stderr is a terminal (a progress bar) or not (plain progress lines). */
	readonly stderrIsTty: boolean;
	/** Loads the configuration of `--config` (the real CLI: `loadConfigFromProcess`). */
	readonly loadConfig: (configPath: string | undefined) => Config;
	/** Extra options for the remote source (tests: loopback lookup, timeouts). */
	readonly remote?: Partial<MediaFetcherOptions>;
	/** Ends `serve` when aborted (the real CLI: SIGINT or SIGTERM). */
	readonly stop?: AbortSignal;
}
