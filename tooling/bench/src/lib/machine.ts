/**
 * What the figures were measured on: CPU model, cores, memory, Node version, load, date and command.
 * Printed at the top of BENCHMARKS.md so that numbers are never read without their machine.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';

/** A description of the machine and the run. */
export interface MachineInfo {
	readonly cpuModel: string;
	readonly cores: number;
	readonly memoryGiB: number;
	readonly node: string;
	readonly platform: string;
	/** 1-minute load average when the run started: a busy machine explains noisy figures. */
	readonly loadAtStart: number;
	readonly date: string;
	readonly command: string;
	/** The commit measured (`git rev-parse --short HEAD`), and whether the work tree had uncommitted changes. */
	readonly commit: string;
}

function gitCommit(): string {
	try {
		const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
		const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
			encoding: 'utf8',
		}).trim();
		return dirty === '' ? head : `${head} (work tree with uncommitted changes)`;
	} catch {
		return 'unknown (not a git checkout)';
	}
}

function cpuModelFromProc(): string | undefined {
	try {
		const text = readFileSync('/proc/cpuinfo', 'utf8');
		const line = text.split('\n').find((l) => l.startsWith('model name'));
		return line?.split(':').slice(1).join(':').trim();
	} catch {
		return undefined;
	}
}

/** Collects the machine description (reads /proc/cpuinfo where it exists). */
export function describeMachine(command: string): MachineInfo {
	return {
		cpuModel: cpuModelFromProc() ?? os.cpus()[0]?.model ?? 'unknown',
		cores: os.availableParallelism(),
		memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
		node: process.version,
		platform: `${os.type()} ${os.release()} ${os.arch()}`,
		loadAtStart: os.loadavg()[0] ?? 0,
		date: new Date().toISOString(),
		command,
		commit: gitCommit(),
	};
}
