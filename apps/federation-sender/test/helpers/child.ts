/** Runs a TypeScript fixture in a child process (tsx), reading its stdout line by line. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));

export interface Child {
	readonly process: ChildProcess;
	/** Every stdout line so far. */
	readonly lines: string[];
	/** Resolves with the first line (from now on or already seen) that matches. */
	waitFor(predicate: (line: string) => boolean): Promise<string>;
	/** Resolves when the process has exited. */
	readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function runFixture(
	t: ExecutionContext,
	fixture: string,
	args: string[],
	env: NodeJS.ProcessEnv = process.env,
): Child {
	const child = spawn(process.execPath, ['--import', 'tsx', `test/fixtures/${fixture}`, ...args], {
		cwd: packageDir,
		stdio: ['ignore', 'pipe', 'pipe'],
		env,
	});
	const lines: string[] = [];
	const waiters: { predicate: (line: string) => boolean; resolve: (line: string) => void }[] = [];
	let stderr = '';
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	createInterface({ input: child.stdout }).on('line', (line) => {
		lines.push(line);
		for (const waiter of [...waiters]) {
			if (waiter.predicate(line)) {
				waiters.splice(waiters.indexOf(waiter), 1);
				waiter.resolve(line);
			}
		}
	});
	const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
		child.on('exit', (code, signal) => resolve({ code, signal })),
	);
	t.teardown(() => {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
	});
	return {
		process: child,
		lines,
		exited,
		waitFor: (predicate) =>
			new Promise((resolve, reject) => {
				const seen = lines.find(predicate);
				if (seen !== undefined) {
					resolve(seen);
					return;
				}
				waiters.push({ predicate, resolve });
				void exited.then(({ code, signal }) =>
					reject(new Error(`fixture exited (${code ?? signal}) before the expected line; stderr: ${stderr}`)),
				);
			}),
	};
}
