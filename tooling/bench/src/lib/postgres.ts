/**
 * A throw-away PostgreSQL server for the benchmarks (like the federation-sender tests' helper): `initdb` in a temporary directory, listening on a Unix socket
 * only (no TCP at all), run as the `postgres` user when the tests run as root. Returns null (and the caller
 * skips, saying why) when the PostgreSQL server programs are not installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
	readonly host: string;
	readonly port: number;
	readonly user: string;
	/** Creates a fresh database and returns its name. */
	createDatabase(): Promise<string>;
	stop(): Promise<void>;
}

function findBin(name: string): string | null {
	for (const dir of (process.env['PATH'] ?? '').split(':')) {
		if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
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

/** Starts a throw-away server on a Unix socket (no TCP), port number `port` (the socket name only). */
export async function startPostgres(port = 55_433): Promise<PostgresServer> {
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
	if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);

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
		'fsync=on',
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
				throw new Error(`PostgreSQL did not start: ${String(error)}`);
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
