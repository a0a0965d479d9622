import { spawn } from 'node:child_process';
import { chown, readFile } from 'node:fs/promises';
import { TestkitError } from './errors.js';
import { compileHostMap } from './loopback-lookup.js';

/** A system account Squid can drop to when started as root. */
export interface SystemUser {
	readonly name: string;
	readonly uid: number;
	readonly gid: number;
}

/** Finds the first existing account among `names` in /etc/passwd (no NSS lookups, no environment). */
export async function findSystemUser(names: readonly string[]): Promise<SystemUser | undefined> {
	const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
	const accounts = new Map(
		passwd
			.split('\n')
			.map((line) => line.split(':'))
			.filter((fields) => fields.length >= 4)
			.map(
				(fields) =>
					[fields[0], { name: fields[0] ?? '', uid: Number(fields[2]), gid: Number(fields[3]) }] as const,
			),
	);
	for (const name of names) {
		const account = accounts.get(name);
		if (account !== undefined) return account;
	}
	return undefined;
}

/** Gives `paths` to `user` (when Squid runs as root it reads and writes them as its effective user). */
export async function chownAll(paths: readonly string[], user: SystemUser | undefined): Promise<void> {
	if (user === undefined) return;
	await Promise.all(paths.map((path) => chown(path, user.uid, user.gid)));
}

/**
 * Writes an htpasswd file with `htpasswd -c -i` (apache2-utils; apr1-MD5, which `basic_ncsa_auth` checks). The
 * password goes through stdin, never on a command line.
 */
export function writeHtpasswd(
	htpasswdBin: string,
	file: string,
	username: string,
	password: string,
): Promise<void> {
	return new Promise((resolve, reject) => {
		const child = spawn(htpasswdBin, ['-c', '-i', file, username], {
			stdio: ['pipe', 'ignore', 'pipe'],
			env: {},
		});
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => {
			stderr = (stderr + chunk.toString()).slice(-2000);
		});
		child.on('error', (error) =>
			reject(
				new TestkitError('ERR_TESTKIT_TOOL_MISSING', `cannot run ${htpasswdBin} (apache2-utils)`, {
					cause: error,
				}),
			),
		);
		child.on('exit', (code) => {
			if (code === 0) resolve();
			else reject(new TestkitError('ERR_TESTKIT_SQUID_START', `htpasswd failed (${code}): ${stderr.trim()}`));
		});
		child.stdin.end(`${password}\n`);
	});
}

const hostName = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * Renders a hosts file mapping test names to loopback addresses for Squid's `hosts_file`, plus `localhost` →
 * 127.0.0.1 unless `hosts` maps `localhost` itself. One address per name, because Squid keeps only the last line it
 * reads for a name: a `::1 localhost` line after `127.0.0.1 localhost` made it try ::1 alone, so a destination
 * listening on 127.0.0.1 only got 503 (and Squid 5 has no `dns_v4_first` to prefer IPv4). Names must be plain host
 * names (no wildcards: hosts files have none); addresses must be loopback.
 */
export function renderHostsFile(hosts: Readonly<Record<string, string>>): string {
	compileHostMap(hosts);
	const names = new Map<string, string>([['localhost', '127.0.0.1']]);
	for (const [name, address] of Object.entries(hosts)) {
		if (!hostName.test(name)) {
			throw new TestkitError(
				'ERR_TESTKIT_INVALID_OPTION',
				`invalid host name ${JSON.stringify(name)} for Squid's hosts file`,
			);
		}
		names.set(name.toLowerCase(), address);
	}
	return `${[...names].map(([name, address]) => `${address} ${name}`).join('\n')}\n`;
}
