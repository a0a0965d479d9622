/**
 * The Squid of the benchmarks: testkit's launcher (real Debian Squid, Basic auth, loopback destinations
 * only, names from a private hosts file), its version for the report, and its access log.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startSquid } from '@homeserver/testkit';
import type { SquidLogEntry } from '@homeserver/testkit';
import type { Cleanup } from './cleanup.js';

export type { SquidLogEntry };

/** The proxy user of every benchmark (clients are told apart by the origin port they use). */
export const PROXY_USER = 'bench';
/** Its password; only ever sent to the loopback Squid. */
export const PROXY_PASSWORD = 'bench-secret';

/** A running Squid. */
export interface BenchSquid {
	readonly host: string;
	readonly port: number;
	/** `Squid 5.7`, for the report. */
	readonly version: string;
	/** Every access-log entry so far (a CONNECT is logged when its tunnel closes). */
	accessLog(): Promise<SquidLogEntry[]>;
}

async function squidVersion(): Promise<string> {
	try {
		const { stdout } = await promisify(execFile)('/usr/sbin/squid', ['-v']);
		return /Version (\S+)/.exec(stdout)?.[1] ?? 'unknown';
	} catch {
		return 'unknown';
	}
}

/** Starts Squid with Basic auth and a hosts map (names to 127.0.0.1); stopped by `cleanup`. */
export async function startBenchSquid(
	cleanup: Cleanup,
	options: { readonly hosts: Readonly<Record<string, string>> },
): Promise<BenchSquid> {
	const squid = await startSquid({
		auth: { username: PROXY_USER, password: PROXY_PASSWORD, realm: 'bench' },
		hosts: options.hosts,
	});
	cleanup.defer(squid, (s) => s.close());
	return {
		host: squid.host,
		port: squid.port,
		version: await squidVersion(),
		accessLog: () => squid.readAccessLog({ minEntries: 0 }),
	};
}

/** The port of an access-log URL (`host:port` for CONNECT, `http://host:port/path` otherwise), or NaN. */
export function logPort(entry: SquidLogEntry): number {
	const authority = entry.method === 'CONNECT' ? entry.url : (entry.url.split('/')[2] ?? '');
	return Number(/:(\d+)$/.exec(authority)?.[1] ?? Number.NaN);
}
