#!/usr/bin/env node
/**
 * The `media-fetcher` executable: wires the real process (stdio, configuration from `--config` and the
 * environment, SIGINT/SIGTERM) to {@link runCli}.
 */
import { loadConfigFromProcess } from '@homeserver/config';
import { runCli } from './cli/main.js';

const stop = new AbortController();
const onSignal = (): void => stop.abort();
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

process.exitCode = await runCli(process.argv.slice(2), {
	stdout: process.stdout,
	stderr: process.stderr,
	stderrIsTty: process.stderr.isTTY === true,
	loadConfig: loadConfigFromProcess,
	stop: stop.signal,
});
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
