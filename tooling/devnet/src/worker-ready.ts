/**
 * Waiting for a worker to be up: its metrics endpoint answers once its configuration is loaded and its listeners
 * are open. A worker that exits first fails the wait at once, with the end of its log.
 */
import { get } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { WorkerProcess } from './child-processes.js';
import { DevnetError } from './errors.js';

/** Whether `GET http://127.0.0.1:<port><path>` answers 200 within a second. */
export function answers200(port: number, path = '/metrics'): Promise<boolean> {
	return new Promise((resolve) => {
		const request = get({ host: '127.0.0.1', port, path, timeout: 1000, agent: false }, (response) => {
			response.resume();
			resolve(response.statusCode === 200);
		});
		request.on('timeout', () => request.destroy());
		request.on('error', () => resolve(false));
	});
}

/** The last `lines` lines of a log file (for error messages). */
export async function logTail(file: string, lines = 15): Promise<string> {
	const text = await readFile(file, 'utf8').catch(() => '');
	return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Resolves when the worker's metrics port answers 200; rejects when it exits or `timeoutMs` passes. */
export async function waitForWorker(
	worker: WorkerProcess,
	metricsPort: number,
	timeoutMs: number,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let exit: string | undefined;
	void worker.exited.then((how) => (exit = how.signal ?? String(how.code)));
	for (;;) {
		if (exit !== undefined) {
			throw new DevnetError(
				'ERR_DEVNET_WORKER',
				`${worker.name} exited (${exit}) while starting; the end of ${worker.logFile}:\n${await logTail(worker.logFile)}`,
			);
		}
		if (await answers200(metricsPort)) return;
		if (Date.now() > deadline) {
			throw new DevnetError(
				'ERR_DEVNET_TIMEOUT',
				`${worker.name} did not answer on its metrics port ${metricsPort} within ${timeoutMs} ms; the end of ${worker.logFile}:\n${await logTail(worker.logFile)}`,
			);
		}
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}
