import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { TestkitError } from './errors.js';

/** A running Squid child process (internal to the launcher). */
export interface SquidProcess {
	/** The last few KiB of Squid's stderr (its cache.log echoed with `-d 1`), for error messages. */
	stderrTail(): string;
	/** Kills Squid and its helpers, resolves when Squid has exited. */
	kill(): Promise<void>;
}

/** Why a launch failed: the port was taken (retry with other ports) or anything else. */
export class SquidLaunchError extends TestkitError {
	constructor(
		message: string,
		readonly addressInUse: boolean,
	) {
		super('ERR_TESTKIT_SQUID_START', message);
	}
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Kills the process group of a Squid we started. Squid runs in its own group (spawned detached) so that its
 * `basic_ncsa_auth` helpers go with it.
 *
 * Quirk: Squid 5 takes about 2 s to exit on SIGTERM or SIGINT even with `shutdown_lifetime 0`, so we use SIGKILL;
 * nothing of value is lost (no cache, the access log is written unbuffered, the run directory is deleted).
 */
function killGroup(child: ChildProcess): void {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, 'SIGKILL');
	} catch {
		child.kill('SIGKILL');
	}
}

function installExitHook(): void {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	// A test that forgot close() (or crashed) must not leave Squid running after the worker exits.
	process.once('exit', () => {
		for (const child of live) killGroup(child);
	});
}

/**
 * Starts `squid -N -d 1 -f conf` and resolves once its cache.log (echoed on stderr) says it accepts connections on
 * every `listeners` address (`127.0.0.1:PORT`, `[::1]:PORT`). Watching the log rather than probing the port keeps
 * a probe connection out of the access log. Squid does not exit when a port is taken, so that is detected in the
 * log too.
 */
export function launchSquid(
	squidBin: string,
	configFile: string,
	dir: string,
	listeners: readonly string[],
	timeoutMs: number,
): Promise<SquidProcess> {
	installExitHook();
	const child = spawn(squidBin, ['-N', '-d', '1', '-f', configFile], {
		cwd: dir,
		detached: true,
		env: {},
		stdio: ['ignore', 'ignore', 'pipe'],
	});
	live.add(child);
	let stderr = '';
	const exited = new Promise<void>((resolve) => {
		child.once('exit', () => {
			live.delete(child);
			resolve();
		});
		child.once('error', () => {
			live.delete(child);
			resolve();
		});
	});
	const handle: SquidProcess = {
		stderrTail: () => stderr,
		kill: async () => {
			killGroup(child);
			await exited;
		},
	};
	return new Promise((resolve, reject) => {
		let settled = false;
		const fail = (error: TestkitError): void => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			void handle.kill().then(() => reject(error));
		};
		const timer = setTimeout(
			() =>
				fail(
					new SquidLaunchError(`squid did not start within ${timeoutMs} ms:\n${stderr.slice(-2000)}`, false),
				),
			timeoutMs,
		);
		child.stderr?.on('data', (chunk: Buffer) => {
			stderr = (stderr + chunk.toString('utf8')).slice(-16_384);
			if (settled) return;
			if (/Cannot bind socket|Address already in use/.test(stderr)) {
				fail(new SquidLaunchError(`squid could not bind its port:\n${stderr.slice(-2000)}`, true));
			} else if (/FATAL|Bungled/.test(stderr)) {
				fail(new SquidLaunchError(`squid refused to start:\n${stderr.slice(-2000)}`, false));
			} else if (
				listeners.every((listener) =>
					new RegExp(`Accepting HTTPS? Socket connections at .* local=${escape(listener)} `).test(stderr),
				)
			) {
				settled = true;
				clearTimeout(timer);
				resolve(handle);
			}
		});
		child.once('error', (error) =>
			fail(
				new TestkitError('ERR_TESTKIT_TOOL_MISSING', `cannot run ${squidBin}: ${error.message}`, {
					cause: error,
				}),
			),
		);
		child.once('exit', (code, signal) =>
			fail(
				new SquidLaunchError(
					`squid exited (${code ?? signal}) before listening:\n${stderr.slice(-2000)}`,
					false,
				),
			),
		);
	});
}

function escape(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
