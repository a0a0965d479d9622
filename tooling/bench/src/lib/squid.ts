/**
 * The Squid of the benchmarks: testkit's launcher (real Debian Squid, Basic auth, loopback destinations
 * only, names from a private hosts file), its version for the report, and its access log.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSquid } from '@homeserver/testkit';
import type { SquidLogEntry } from '@homeserver/testkit';
import type { Cleanup } from './cleanup.js';
import { tempDir } from './temp-dir.js';

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
	/** Squid's cache.log (diagnostics). */
	cacheLog(): Promise<string>;
}

async function squidVersion(): Promise<string> {
	try {
		const { stdout } = await promisify(execFile)('/usr/sbin/squid', ['-v']);
		return /Version (\S+)/.exec(stdout)?.[1] ?? 'unknown';
	} catch {
		return 'unknown';
	}
}

/**
 * A wrapper for testkit's `squidBin` that adjusts the generated squid.conf (its last argument) before starting
 * the real Squid. Interim, until testkit has options for both:
 * - `max_filedescriptors`: testkit caps Squid at 1,024 descriptors, two per tunnel, too few for a thousand
 *   destinations with pooled tunnels;
 * - testkit lists every mapped name on one `acl ... dstdomain -n` line, and Squid cuts config lines at 8 KiB,
 *   so a thousand names break the file: the wrapper splits such lines into lines of 100 names (Squid adds up
 *   the lines of one ACL).
 */
async function squidWrapper(dir: string, descriptors: number | undefined): Promise<string> {
	const file = join(dir, 'squid-wrapper.sh');
	const split =
		'$1 == "acl" && $3 == "dstdomain" && $4 == "-n" && NF > 104 { ' +
		'head = $1 " " $2 " " $3 " " $4; line = head; n = 0; ' +
		'for (i = 5; i <= NF; i++) { line = line " " $i; if (++n == 100) { print line; line = head; n = 0 } } ' +
		'if (n > 0) print line; next } { print }';
	const script = [
		'#!/bin/sh',
		'for conf; do :; done',
		...(descriptors === undefined
			? []
			: [
					`ulimit -n ${descriptors} 2>/dev/null`,
					`/usr/bin/sed -i 's/^max_filedescriptors .*/max_filedescriptors ${descriptors}/' "$conf" || exit 1`,
				]),
		`/usr/bin/awk '${split}' "$conf" > "$conf.split" && /bin/cat "$conf.split" > "$conf" || exit 1`,
		'exec /usr/sbin/squid "$@"',
		'',
	].join('\n');
	await writeFile(file, script, { mode: 0o755 });
	return file;
}

/** Options of {@link startBenchSquid}. */
export interface BenchSquidOptions {
	/** Names Squid resolves (to 127.0.0.1). */
	readonly hosts: Readonly<Record<string, string>>;
	/** Raise Squid's descriptor limit to this (default: testkit's 1,024). */
	readonly maxFileDescriptors?: number;
}

/** Starts Squid with Basic auth and a hosts map (names to 127.0.0.1); stopped by `cleanup`. */
export async function startBenchSquid(cleanup: Cleanup, options: BenchSquidOptions): Promise<BenchSquid> {
	const squidBin = await squidWrapper(await tempDir(cleanup), options.maxFileDescriptors);
	const squid = await startSquid({
		auth: { username: PROXY_USER, password: PROXY_PASSWORD, realm: 'bench' },
		hosts: options.hosts,
		squidBin,
	});
	cleanup.defer(squid, (s) => s.close());
	return {
		host: squid.host,
		port: squid.port,
		version: await squidVersion(),
		accessLog: () => squid.readAccessLog({ minEntries: 0 }),
		cacheLog: () => squid.readCacheLog(),
	};
}

/** The port of an access-log URL (`host:port` for CONNECT, `http://host:port/path` otherwise), or NaN. */
export function logPort(entry: SquidLogEntry): number {
	const authority = entry.method === 'CONNECT' ? entry.url : (entry.url.split('/')[2] ?? '');
	return Number(/:(\d+)$/.exec(authority)?.[1] ?? Number.NaN);
}
