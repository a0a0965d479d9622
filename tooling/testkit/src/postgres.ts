/**
 * A throw-away PostgreSQL server for the tests and the benchmarks: `initdb` in a temporary directory, listening on a Unix socket
 * only (no TCP at all), run as the `postgres` user when the tests run as root. Returns null (and the caller
 * skips, saying why) when the PostgreSQL server programs are not installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { TestkitError } from './errors.js';

export interface PostgresServer {
	readonly host: string;
	readonly port: number;
	readonly user: string;
	/** Creates a fresh database and returns its name. */
	createDatabase(): Promise<string>;
	stop(): Promise<void>;
}

/** Where Debian and a local install put the server programs (the environment is not read: docs/architecture.md 2). */
const BIN_DIRS = ['/usr/local/bin', '/usr/bin', '/usr/local/pgsql/bin'];

function findBin(name: string): string | null {
	for (const dir of BIN_DIRS) {
		if (existsSync(join(dir, name))) return join(dir, name);
	}
	const root = '/usr/lib/postgresql';
	if (existsSync(root)) {
		for (const version of readdirSync(root).sort().reverse()) {
			const path = join(root, version, 'bin', name);
			if (existsSync(path)) return path;
		}
	}
	return null;
}

/** Why PostgreSQL tests cannot run here, or null when they can. */
export function postgresMissing(): string | null {
	return findBin('initdb') === null || findBin('postgres') === null
		? 'PostgreSQL server programs (initdb, postgres) not found: install the Debian package postgresql'
		: null;
}

/** Options of {@link startPostgres}. */
export interface PostgresOptions {
	/** The port number in the socket's name (no TCP is opened); default 55432. */
	readonly port?: number;
	/** Whether commits reach the disk (`fsync`): off for tests, on for the benchmarks. Default off. */
	readonly fsync?: boolean;
}

/** Starts a throw-away server on a Unix socket (no TCP). */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
	const port = options.port ?? 55_432;
	const initdb = findBin('initdb')!;
	const postgres = findBin('postgres')!;
	const dir = mkdtempSync(join(tmpdir(), 'fs-pg-'));
	const asRoot = process.getuid?.() === 0;
	const wrap = (bin: string, args: string[]): [string, string[]] =>
		asRoot
			? [
					'setpriv',
					['--reuid=postgres', '--regid=postgres', '--clear-groups', '--reset-env', '--', bin, ...args],
				]
			: [bin, args];
	if (asRoot) {
		const info = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
		const uid = Number(info.stdout.trim());
		const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
		chownSync(dir, uid, gid);
	}
	const data = join(dir, 'data');
	const [initBin, initArgs] = wrap(initdb, [
		'-D',
		data,
		'-U',
		'sender',
		'--auth=trust',
		'-E',
		'UTF8',
		'--no-sync',
	]);
	const init = spawnSync(initBin, initArgs, { encoding: 'utf8' });
	if (init.status !== 0)
		throw new TestkitError('ERR_TESTKIT_POSTGRES_START', `initdb failed: ${init.stderr}`);

	const [runBin, runArgs] = wrap(postgres, [
		'-D',
		data,
		'-k',
		dir,
		'-p',
		String(port),
		'-c',
		'listen_addresses=',
		'-c',
		`fsync=${options.fsync === true ? 'on' : 'off'}`,
	]);
	const child: ChildProcess = spawn(runBin, runArgs, { stdio: 'ignore' });
	const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
	const connect = { host: dir, port, user: 'sender', database: 'postgres' };
	for (let attempt = 0; ; attempt++) {
		const client = new pg.Client(connect);
		try {
			await client.connect();
			await client.end();
			break;
		} catch (error) {
			await client.end().catch(() => undefined);
			if (attempt >= 100 || child.exitCode !== null) {
				child.kill('SIGKILL');
				throw new TestkitError('ERR_TESTKIT_POSTGRES_START', `PostgreSQL did not start: ${String(error)}`, {
					cause: error,
				});
			}
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	}
	let n = 0;
	return {
		host: dir,
		port,
		user: 'sender',
		async createDatabase() {
			const name = `outbox_${process.pid}_${n++}`;
			const client = new pg.Client(connect);
			await client.connect();
			await client.query(`CREATE DATABASE ${name}`);
			await client.end();
			return name;
		},
		async stop() {
			child.kill('SIGINT');
			await exited;
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
