/**
 * What the CLI needs from the outside world, injected so that commands can be tested in-process: output
 * streams, stdin, configuration loading, signals and the transport. `processIo()` is the real thing.
 */
import { loadConfigFromProcess, type Config } from '@homeserver/config';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createLogger } from '../observability/logger.js';
import type { ResolutionExplainer } from '../transport/federation-transport.js';
import type { SendTransaction } from '../worker/types.js';

/** A transport for `run`, and what to close when the worker has stopped. */
export interface Transport {
	readonly send: SendTransaction;
	close(): Promise<void>;
}

/** The CLI's environment. */
export interface CliIo {
	readonly stdout: { write(text: string): unknown };
	readonly stderr: { write(text: string): unknown };
	/** Reads all of stdin (for `-`). */
	readStdin(): Promise<string>;
	/** Loads the configuration (`--config`, else `HOMESERVER_CONFIG`, else defaults). */
	loadConfig(configPath: string | undefined): Config;
	/** Calls `handler` on SIGTERM or SIGINT; returns an unsubscribe function. */
	onShutdownSignal(handler: (signal: string) => void): () => void;
	createLogger(): Logger;
	/** Ends the process at once (a second shutdown signal). */
	forceExit(code: number): void;
	/** Builds the signed federation transport for `run`, its outbound counters in `metricsRegistry` (`/metrics`). */
	createTransport(config: Config, logger: Logger, metricsRegistry: Registry): Promise<Transport>;
	/**
	 * Builds what `resolve` uses: the resolver and router of `run`, explaining a server name. May resolve later
	 * (the real one loads the federation stack only when `resolve` runs).
	 */
	createExplainer(config: Config, logger: Logger): ResolutionExplainer | Promise<ResolutionExplainer>;
}

/** The real process: stdout/stderr, stdin, `loadConfigFromProcess`, process signals, the federation stack. */
export function processIo(
	createTransport: CliIo['createTransport'],
	createExplainer: CliIo['createExplainer'],
): CliIo {
	return {
		stdout: process.stdout,
		stderr: process.stderr,
		readStdin: async () => {
			const chunks: Buffer[] = [];
			for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
			return Buffer.concat(chunks).toString('utf8');
		},
		loadConfig: (configPath) => loadConfigFromProcess(configPath),
		onShutdownSignal: (handler) => {
			const listener = (signal: NodeJS.Signals): void => handler(signal);
			process.on('SIGTERM', listener);
			process.on('SIGINT', listener);
			return () => {
				process.off('SIGTERM', listener);
				process.off('SIGINT', listener);
			};
		},
		createLogger: () => createLogger(),
		forceExit: (code) => process.exit(code),
		createTransport,
		createExplainer,
	};
}
