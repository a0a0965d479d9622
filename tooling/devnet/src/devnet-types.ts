/**
 * The shapes of {@link startDevnet}'s options and of the running devnet it returns.
 */
import type { Config } from '@homeserver/config';
import type { CommandResult, WorkerProcess } from './child-processes.js';
import type { SecretForm } from './credentials.js';
import type { DataDirLayout } from './data-dir.js';
import type { DevnetProxy, ProxyChoice } from './devnet-proxy.js';
import type { RemotePeer } from './remote-peer.js';

/** The command-line programs the devnet can run. */
export type DevnetProgram = 'federation-sender' | 'media-fetcher' | 'outbound-http';

/** Options of {@link startDevnet}. */
export interface DevnetOptions {
	/** The data directory, wiped at start. Default `.devnet/` at the repository root. */
	readonly dataDir?: string;
	/** Which proxy: `auto` (default: Squid when installed), `squid` or `in-process`. */
	readonly proxy?: ProxyChoice;
	/** Start the two workers (default true); false gives the proxy, the remote and the files only. */
	readonly workers?: boolean;
	/** How long each worker may take to answer on its metrics port. Default 15 000 ms. */
	readonly startTimeoutMs?: number;
}

/** The loopback ports of a running devnet. */
export interface DevnetPorts {
	/** The proxy's TLS port. */
	readonly proxy: number;
	/** The remote homeserver (the port of its server name). */
	readonly remote: number;
	readonly cdn: number;
	readonly mediaFetcher: number;
	readonly mediaFetcherMetrics: number;
	readonly federationSenderMetrics: number;
}

/** A running devnet. Call {@link Devnet.close} in every case (it is idempotent). */
export interface Devnet {
	readonly files: DataDirLayout;
	/** Our server name, `devnet.localhost`. */
	readonly serverName: string;
	/** The key id our workers sign with (`ed25519:a_xxxx`). */
	readonly signingKeyId: string;
	readonly proxy: DevnetProxy;
	/** The proxy URL as the workers get it, password replaced by `***`. */
	readonly proxyUrlRedacted: string;
	/** The workers' environment for display: the proxy variables, the password replaced by `***`. */
	readonly environmentRedacted: Readonly<Record<string, string>>;
	readonly remote: RemotePeer;
	/** The configuration exactly as the workers load it (file + environment). */
	readonly config: Config;
	readonly ports: DevnetPorts;
	/** `federation-sender run` and `media-fetcher serve`, when started. */
	readonly workers: readonly WorkerProcess[];
	/** Every form of the proxy password, to search logs and requests for leaks. */
	readonly secretForms: readonly SecretForm[];
	/** Runs one of our command-line programs with the workers' environment (and the loopback guard). */
	run(program: DevnetProgram, args: readonly string[], timeoutMs?: number): Promise<CommandResult>;
	/** Stops the workers (SIGTERM, then SIGKILL after a grace period); closes their proxy tunnels. */
	stopWorkers(): Promise<void>;
	/** Writes the proxy's and the remote's logs into the logs directory; returns every log file. */
	saveLogs(): Promise<string[]>;
	/** Stops everything the devnet started and saves the logs first. */
	close(): Promise<void>;
}
