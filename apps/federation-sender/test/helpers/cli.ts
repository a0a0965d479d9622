/**
 * Runs the CLI in-process with a real configuration file, a captured logger and output, a fake transport,
 * and a shutdown "signal" the test fires.
 */
import { writeFileSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '@homeserver/config';
import type { ExecutionContext } from 'ava';
import { pino } from 'pino';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import { createResolutionExplainer } from '../../src/transport/federation-transport.js';
import { FakeRemote } from './fake-remote.js';
import { tempDir } from './temp-dir.js';

export interface CliHarness {
	readonly dir: string;
	readonly configPath: string;
	readonly remote: FakeRemote;
	/** Structured log records of `run`. */
	readonly logs: Record<string, unknown>[];
	/** Runs a command; resolves with exit code and output. */
	cli(argv: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }>;
	/** Fires SIGTERM (or another signal) at a running `run`. */
	signal(name?: string): void;
	/** Resolves when a log record with this `msg` appears. */
	logged(msg: string): Promise<Record<string, unknown>>;
}

/**
 * `yamlExtra` is appended to the configuration; `createTransport` replaces the fake remote's transport (e.g. with
 * the real one, for what only the outbound stack does); `createExplainer` replaces `resolve`'s (whose name
 * resolution refuses every lookup).
 */
export function cliHarness(
	t: ExecutionContext,
	yamlExtra = '',
	createTransport?: CliIo['createTransport'],
	createExplainer?: CliIo['createExplainer'],
): CliHarness {
	const dir = tempDir(t);
	const configPath = join(dir, 'homeserver.yaml');
	writeFileSync(
		configPath,
		`server_name: origin.test
federation_sender:
  database: {name: sqlite3, args: {database: outbox.db}}
  metrics: {bind_address: 127.0.0.1, port: 0}
${yamlExtra}`,
	);
	const remote = new FakeRemote();
	const logs: Record<string, unknown>[] = [];
	const logWaiters: { msg: string; resolve: (record: Record<string, unknown>) => void }[] = [];
	const handlers = new Set<(signal: string) => void>();
	const logStream = new Writable({
		write(chunk: Buffer, _encoding, callback) {
			for (const line of chunk.toString().split('\n').filter(Boolean)) {
				const record = JSON.parse(line) as Record<string, unknown>;
				logs.push(record);
				for (const waiter of logWaiters.filter((w) => w.msg === record['msg'])) {
					logWaiters.splice(logWaiters.indexOf(waiter), 1);
					waiter.resolve(record);
				}
			}
			callback();
		},
	});
	const cli: CliHarness['cli'] = async (argv, stdin = '') => {
		let stdout = '';
		let stderr = '';
		const io: CliIo = {
			stdout: { write: (text: string) => (stdout += text) },
			stderr: { write: (text: string) => (stderr += text) },
			readStdin: () => Promise.resolve(stdin),
			loadConfig: (path) => loadConfig({ env: {}, configPath: path, cwd: dir }),
			onShutdownSignal: (handler) => {
				handlers.add(handler);
				return () => handlers.delete(handler);
			},
			createLogger: () => pino({ level: 'debug' }, logStream),
			forceExit: (code) => {
				throw new Error(`forceExit(${code})`);
			},
			createTransport:
				createTransport ?? (() => Promise.resolve({ send: remote.send, close: () => Promise.resolve() })),
			createExplainer:
				createExplainer ??
				((config, logger) => createResolutionExplainer(config, logger, { lookup: noLookup, dns: noDns })),
		};
		const code = await runCli(argv, io);
		return { code, stdout, stderr };
	};
	return {
		dir,
		configPath,
		remote,
		logs,
		cli,
		signal: (name = 'SIGTERM') => {
			for (const handler of [...handlers]) handler(name);
		},
		logged: (msg) => {
			const seen = logs.find((record) => record['msg'] === msg);
			if (seen !== undefined) return Promise.resolve(seen);
			return new Promise((resolve) => logWaiters.push({ msg, resolve }));
		},
	};
}

/** Name resolution that refuses: these CLI tests must not touch DNS. */
const noLookup = ((_host: string, _options: unknown, callback: (error: Error) => void) =>
	callback(new Error('no DNS in CLI tests'))) as unknown as LookupFunction;
const noDns = {
	resolveSrv: () => Promise.reject(new Error('no DNS in CLI tests')),
};
