import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { TestkitError } from './errors.js';
import { probeSquid } from './squid-probe.js';
import type { ProbeTarget } from './squid-probe.js';

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
 * Starts `squid -N -d 1 -f conf` and resolves once every `listeners` port answers a readiness probe (see
 * squid-probe.ts). Squid does not exit when a port is taken, so its log (echoed on stderr) is watched for that and
 * for fatal errors meanwhile.
 */
export function launchSquid(
	squidBin: string,
	configFile: string,
	dir: string,
	listeners: readonly ProbeTarget[],
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
	let failure: TestkitError | undefined;
	const tail = (): string => stderr.slice(-2000);
	child.stderr?.on('data', (chunk: Buffer) => {
		stderr = (stderr + chunk.toString('utf8')).slice(-16_384);
		if (failure !== undefined) return;
		if (/Cannot bind socket|Address already in use/.test(stderr)) {
			failure = new SquidLaunchError(`squid could not bind its port:\n${tail()}`, true);
		} else if (/FATAL|Bungled/.test(stderr)) {
			failure = new SquidLaunchError(`squid refused to start:\n${tail()}`, false);
		}
	});
	child.once('error', (error) => {
		failure ??= new TestkitError('ERR_TESTKIT_TOOL_MISSING', `cannot run ${squidBin}: ${error.message}`, {
			cause: error,
		});
	});
	child.once('exit', (code, signal) => {
		failure ??= new SquidLaunchError(`squid exited (${code ?? signal}) before listening:\n${tail()}`, false);
	});

	const deadline = Date.now() + timeoutMs;
	const waitReady = async (): Promise<SquidProcess> => {
		const pending = [...listeners];
		while (pending.length > 0) {
			if (failure !== undefined) throw failure;
			if (Date.now() > deadline)
				throw new SquidLaunchError(`squid did not start within ${timeoutMs} ms:\n${tail()}`, false);
			const next = pending[0];
			if (next !== undefined && (await probeSquid(next))) pending.shift();
			else await new Promise((resolve) => setTimeout(resolve, 10));
		}
		return handle;
	};
	return waitReady().catch(async (error: unknown) => {
		await handle.kill();
		throw error;
	});
}
