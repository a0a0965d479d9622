/**
 * Child processes of the benchmark (origin servers, memory probes): TypeScript files run with tsx in the
 * runner's process group, spoken to over IPC, and always stopped by the scenario's clean-up.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileProbe } from './compile-probe.js';
import { within } from './load.js';

/** A running child process of the benchmark. */
export interface TsChild {
	readonly process: ChildProcess;
	/** Sends `message` and resolves with the next message whose `type` is `replyType`. */
	ask<R extends { type: string }>(message: object, replyType: R['type'], timeoutMs: number): Promise<R>;
	/** SIGTERM, then SIGKILL after a second; resolves when it has exited. */
	stop(): Promise<void>;
}

const benchDir = fileURLToPath(new URL('../../', import.meta.url));

/** Starts `script` (a URL of a .ts file) under tsx with IPC; `args` become its argv. */
export function forkTs(script: URL, args: readonly string[] = [], execArgv: readonly string[] = []): TsChild {
	return forkNode(fileURLToPath(script), args, ['--import', 'tsx', ...execArgv]);
}

/** Starts a probe compiled to plain JavaScript (see compile-probe.ts) on bare node, for honest memory figures. */
export async function forkProbe(script: URL, execArgv: readonly string[] = []): Promise<TsChild> {
	return forkNode(await compileProbe(script), [], execArgv);
}

function forkNode(file: string, args: readonly string[], execArgv: readonly string[]): TsChild {
	const script = pathToFileURL(file);
	const child = fork(file, [...args], {
		cwd: benchDir,
		execArgv: [...execArgv],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		serialization: 'advanced',
	});
	const exited = once(child, 'exit').then(() => undefined);
	return {
		process: child,
		async ask<R extends { type: string }>(
			message: object,
			replyType: R['type'],
			timeoutMs: number,
		): Promise<R> {
			const reply = new Promise<R>((resolve, reject) => {
				const onMessage = (m: { type?: unknown }): void => {
					if (m.type !== replyType) return;
					cleanup();
					resolve(m as R);
				};
				const onExit = (code: number | null): void => {
					cleanup();
					reject(new Error(`child ${script.pathname.split('/').pop()} exited (${code}) before answering`));
				};
				const cleanup = (): void => {
					child.off('message', onMessage);
					child.off('exit', onExit);
				};
				child.on('message', onMessage);
				child.on('exit', onExit);
			});
			child.send(message);
			return within(reply, timeoutMs, `child ${replyType}`);
		},
		async stop(): Promise<void> {
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
			await exited;
			clearTimeout(timer);
		},
	};
}
