/**
 * Child processes of the apps' real CLIs (their built `dist/cli.js`), with output captured for the leak audit and
 * for diagnostics, killed by their own pid only.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The built CLI of a workspace app, e.g. `@homeserver/federation-sender` -> `.../dist/cli.js`. */
export function cliOf(pkg: string): string {
	return join(dirname(createRequire(import.meta.url).resolve(pkg)), 'cli.js');
}

/** A running (or finished) child. */
export interface Child {
	readonly process: ChildProcess;
	/** Everything written on stdout and stderr so far. */
	output(): string;
	/** Resolves with the exit code (or signal name) once the child has exited and its output is all read. */
	readonly exited: Promise<number | string>;
	/** Sends `signal` to this child only, then waits for it to exit. */
	kill(signal: NodeJS.Signals): Promise<number | string>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
	for (const child of live) child.kill('SIGKILL');
});

/**
 * Runs `node <script> ...args` with a clean environment (no proxy variables unless given in `env`), capturing its
 * output.
 */
export function startNode(
	script: string,
	args: readonly string[],
	cwd: string,
	env: Readonly<Record<string, string>> = {},
): Child {
	const child = spawn(process.execPath, [script, ...args], {
		cwd,
		env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', NODE_ENV: 'test', ...env },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	live.add(child);
	let output = '';
	const keep = (chunk: Buffer): void => {
		output += chunk.toString('utf8');
		if (output.length > 4_000_000) output = output.slice(-2_000_000);
	};
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	const exited = new Promise<number | string>((resolve) => {
		child.once('close', (code, signal) => {
			live.delete(child);
			resolve(code ?? signal ?? 'unknown');
		});
	});
	return {
		process: child,
		output: () => output,
		exited,
		kill: (signal) => {
			if (child.exitCode === null && child.signalCode === null) child.kill(signal);
			return exited;
		},
	};
}

/** Runs a CLI to completion; resolves with its exit code and output. */
export async function runNode(
	script: string,
	args: readonly string[],
	cwd: string,
	env: Readonly<Record<string, string>> = {},
): Promise<{ code: number | string; output: string }> {
	const child = startNode(script, args, cwd, env);
	const code = await child.exited;
	return { code, output: child.output() };
}
