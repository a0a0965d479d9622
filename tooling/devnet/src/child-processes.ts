/**
 * The devnet's child processes: long-running workers (output to a log file) and one-shot commands (output
 * captured). Each runs `node --import <loopback guard> <script> ...` with exactly the environment given (the
 * devnet's own environment is not inherited). Every child still alive when the devnet process exits is killed.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { DevnetError } from './errors.js';

/** How a child ended. */
export interface ChildExit {
	readonly code: number | null;
	readonly signal: NodeJS.Signals | null;
}

/** A running worker process. */
export interface WorkerProcess {
	readonly name: string;
	readonly pid: number;
	readonly logFile: string;
	/** Settles when the process has exited. */
	readonly exited: Promise<ChildExit>;
	/** Whether it is still running. */
	readonly running: boolean;
	/** SIGTERM, then SIGKILL after `graceMs` (default 5000); resolves with how it ended. */
	stop(graceMs?: number): Promise<ChildExit>;
}

/** What starts a child: the script, its arguments and environment, the guard to preload. */
export interface ChildSpec {
	readonly script: string;
	readonly args: readonly string[];
	readonly env: Readonly<Record<string, string>>;
	/** The compiled loopback guard, preloaded with `--import`. */
	readonly guardFile: string;
	readonly cwd: string;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
	live.add(child);
	child.once('exit', () => live.delete(child));
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	// Last resort (an uncaught error, process.exit): no worker outlives the devnet.
	process.once('exit', () => {
		for (const orphan of live) orphan.kill('SIGKILL');
	});
}

function spawnChild(spec: ChildSpec, stdio: ['ignore', number | 'pipe', number | 'pipe']): ChildProcess {
	const child = spawn(
		process.execPath,
		['--import', pathToFileURL(spec.guardFile).href, spec.script, ...spec.args],
		{ cwd: spec.cwd, env: { ...spec.env }, stdio },
	);
	track(child);
	return child;
}

/** Settles on `exit` (workers) or on `close` (output pipes drained too: one-shot commands). */
function exitOf(child: ChildProcess, event: 'exit' | 'close' = 'exit'): Promise<ChildExit> {
	return new Promise((resolve) => {
		if (event === 'exit' && (child.exitCode !== null || child.signalCode !== null)) {
			resolve({ code: child.exitCode, signal: child.signalCode });
			return;
		}
		child.once(event, (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal }));
		child.once('error', () => resolve({ code: null, signal: null }));
	});
}

/** Starts a worker whose stdout and stderr go to `logFile` (appended). */
export function startWorker(name: string, spec: ChildSpec, logFile: string): WorkerProcess {
	const fd = openSync(logFile, 'a', 0o600);
	let child: ChildProcess;
	try {
		child = spawnChild(spec, ['ignore', fd, fd]);
	} finally {
		closeSync(fd);
	}
	if (child.pid === undefined) throw new DevnetError('ERR_DEVNET_WORKER', `${name} could not be started`);
	const exited = exitOf(child);
	let done = false;
	void exited.then(() => (done = true));
	return {
		name,
		pid: child.pid,
		logFile,
		exited,
		get running() {
			return !done;
		},
		stop: async (graceMs = 5000) => {
			if (done) return exited;
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
			try {
				return await exited;
			} finally {
				clearTimeout(timer);
			}
		},
	};
}

/** The outcome of a one-shot command. */
export interface CommandResult {
	readonly code: number | null;
	readonly stdout: string;
	readonly stderr: string;
	readonly ms: number;
}

const MAX_OUTPUT = 1 << 20;

/** Runs a one-shot command to completion (killed after `timeoutMs`), capturing its output (1 MiB each at most). */
export async function runCommand(spec: ChildSpec, timeoutMs: number): Promise<CommandResult> {
	const started = performance.now();
	const child = spawnChild(spec, ['ignore', 'pipe', 'pipe']);
	const output = { stdout: '', stderr: '' };
	for (const stream of ['stdout', 'stderr'] as const) {
		child[stream]?.setEncoding('utf8');
		child[stream]?.on('data', (chunk: string) => {
			if (output[stream].length < MAX_OUTPUT) output[stream] += chunk;
		});
	}
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		child.kill('SIGKILL');
	}, timeoutMs);
	const exit = await exitOf(child, 'close');
	clearTimeout(timer);
	if (timedOut) {
		throw new DevnetError(
			'ERR_DEVNET_TIMEOUT',
			`${spec.args.slice(0, 2).join(' ')} did not finish within ${timeoutMs} ms`,
		);
	}
	return { code: exit.code, ...output, ms: performance.now() - started };
}
