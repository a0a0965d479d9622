// Squid quirks met while building this launcher (Squid 5.7, Debian squid-openssl), and what we do about them:
// - It cannot listen on port 0: we pick free ports first and retry if one was taken meanwhile; Squid does not exit
//   when a port is taken (it logs "Cannot bind socket" and carries on), so the launcher watches its log for that.
// - "Accepting HTTP Socket connections" is logged before listen() runs: readiness is probed with a real request
//   (squid-probe.ts), which squid.conf denies first and keeps out of the access log; a bare TCP probe would be
//   logged as `error:transaction-end-before-headers`.
// - A dstdomain ACL does a reverse DNS lookup for IP-literal URLs, and names outside the hosts file go to DNS; with
//   no DNS server (127.0.0.1:53) each waits dns_timeout. So ACLs use `-n` and unknown names are refused first.
// - Its hosts file keeps one address per name, the last line read: `localhost` is mapped to 127.0.0.1 only (a
//   second `::1` line made it try ::1 alone, 503 for IPv4 servers); Squid 5 has no `dns_v4_first`.
// - Query strings are stripped from logged URLs unless `strip_query_terms off`.
// - A CONNECT is logged only when its tunnel closes.
// - As root it needs cache_effective_user (we use `proxy`, else `nobody`) and that user must own its files.
// - SIGTERM/SIGINT take ~2 s even with `shutdown_lifetime 0`: close() SIGKILLs its process group (squid-process.ts).
import { rmSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TlsMaterial } from './certificate-authority.js';
import { TestkitError } from './errors.js';
import type { LoopbackHost } from './loopback.js';
import type { ProxyAuthOptions } from './proxy-auth.js';
import { validateProxyAuth } from './proxy-auth.js';
import type { SquidLogEntry } from './squid-access-log.js';
import { parseSquidAccessLog } from './squid-access-log.js';
import { renderSquidConfig } from './squid-config.js';
import { chownAll, findSystemUser, renderHostsFile, writeHtpasswd } from './squid-files.js';
import { launchSquid, SquidLaunchError } from './squid-process.js';
import type { SquidProcess } from './squid-process.js';
import { findFreePort, loopbackOrigin } from './server-lifecycle.js';
import { missingSquidTools, squidToolDefaults } from './squid-availability.js';
import type { SquidTools } from './squid-availability.js';

/** Options of {@link startSquid}. */
export interface SquidOptions extends SquidTools {
	/** Address to listen on. Default `127.0.0.1`. */
	readonly host?: LoopbackHost;
	/** Basic auth (`basic_ncsa_auth`); the realm defaults to `testkit`. */
	readonly auth?: ProxyAuthOptions;
	/** Adds an `https_port` (TLS from the client to the proxy) with this certificate. */
	readonly tls?: TlsMaterial;
	/**
	 * Names Squid resolves, to loopback addresses only (`{ 'test.com': '127.0.0.1' }`), through a hosts file; one
	 * address per name (Squid keeps one). `localhost` is 127.0.0.1 unless mapped here (e.g. to `::1`). Any other
	 * name is refused at once with 403 (TCP_DENIED): Squid never asks DNS.
	 */
	readonly hosts?: Readonly<Record<string, string>>;
	/** Default 10 000 ms (start-up normally takes well under 100 ms). */
	readonly startTimeoutMs?: number;
}

/** Options of {@link SquidProxy.readAccessLog}. */
export interface ReadAccessLogOptions {
	/** Wait until this holds for the parsed entries. Default: at least `minEntries` entries. */
	readonly until?: (entries: readonly SquidLogEntry[]) => boolean;
	/** Default 1. Use 0 to read without waiting. */
	readonly minEntries?: number;
	/** How long to poll before failing with `ERR_TESTKIT_TIMEOUT`. Default 5000 ms. */
	readonly timeoutMs?: number;
}

/** A running Squid. */
export interface SquidProxy {
	/** `http://127.0.0.1:PORT` (plain http to the proxy). */
	readonly url: string;
	/** `https://127.0.0.1:PORT` when started with `tls`. */
	readonly httpsUrl: string | undefined;
	readonly host: LoopbackHost;
	readonly port: number;
	readonly httpsPort: number | undefined;
	/** The private run directory (config, logs); deleted by close(). */
	readonly dir: string;
	/**
	 * Parses the access log, polling until `until`/`minEntries` holds. Squid writes a line when a transaction ends:
	 * a CONNECT appears only after its tunnel closed, so close client connections (agents) before asserting on it.
	 */
	readAccessLog(options?: ReadAccessLogOptions): Promise<SquidLogEntry[]>;
	/** Squid's cache.log (diagnostics for a failing test). */
	readCacheLog(): Promise<string>;
	/** Kills Squid and its helpers and removes the run directory. */
	close(): Promise<void>;
}

/** Run directories of Squids not closed yet: removed when the process exits (a test that crashed or forgot close()). */
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function removeOnExit(dir: string): void {
	liveDirs.add(dir);
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.once('exit', () => {
		for (const path of liveDirs) rmSync(path, { recursive: true, force: true });
	});
}

async function removeDir(dir: string): Promise<void> {
	liveDirs.delete(dir);
	await rm(dir, { recursive: true, force: true });
}

async function prepareRun(
	options: SquidOptions,
	dir: string,
): Promise<{ configFor: (ports: Ports) => string }> {
	const user = process.getuid?.() === 0 ? await findSystemUser(['proxy', 'nobody']) : undefined;
	if (process.getuid?.() === 0 && user === undefined) {
		throw new TestkitError(
			'ERR_TESTKIT_SQUID_START',
			'running as root, but neither user "proxy" nor "nobody" exists for Squid',
		);
	}
	const hostsFile = join(dir, 'hosts');
	await writeFile(hostsFile, renderHostsFile(options.hosts ?? {}), { mode: 0o644 });
	const owned = [dir, hostsFile];
	let tlsFiles: { certFile: string; keyFile: string } | undefined;
	if (options.tls !== undefined) {
		tlsFiles = { certFile: join(dir, 'proxy-cert.pem'), keyFile: join(dir, 'proxy-key.pem') };
		await writeFile(tlsFiles.certFile, options.tls.certPem, { mode: 0o644 });
		await writeFile(tlsFiles.keyFile, options.tls.keyPem, { mode: 0o600 });
		owned.push(tlsFiles.certFile, tlsFiles.keyFile);
	}
	let auth: { helper: string; htpasswdFile: string; realm: string } | undefined;
	if (options.auth !== undefined) {
		auth = {
			helper: options.authHelper ?? squidToolDefaults.authHelper,
			htpasswdFile: join(dir, 'htpasswd'),
			realm: options.auth.realm ?? 'testkit',
		};
		await writeHtpasswd(
			options.htpasswdBin ?? squidToolDefaults.htpasswdBin,
			auth.htpasswdFile,
			options.auth.username,
			options.auth.password,
		);
		await chmod(auth.htpasswdFile, 0o600);
		owned.push(auth.htpasswdFile);
	}
	await chownAll(owned, user);
	const host = options.host ?? '127.0.0.1';
	return {
		configFor: (ports) =>
			renderSquidConfig({
				dir,
				host,
				httpPort: ports.http,
				...(tlsFiles && ports.https !== undefined ? { https: { port: ports.https, ...tlsFiles } } : {}),
				...(auth ? { auth } : {}),
				hostsFile,
				hostNames: Object.keys(options.hosts ?? {}).map((name) => name.toLowerCase()),
				...(user ? { effectiveUser: user.name } : {}),
			}),
	};
}

interface Ports {
	readonly http: number;
	readonly https: number | undefined;
}

/**
 * Starts a real Squid (Debian `squid-openssl`) as a child process for one test: loopback only, on free ports, with
 * optional Basic auth, an `https_port` and a private hosts file, logging every transaction to a parseable access
 * log. Fails with `ERR_TESTKIT_TOOL_MISSING` when Squid is not installed (see {@link requireSquid}).
 */
export async function startSquid(options: SquidOptions = {}): Promise<SquidProxy> {
	if (options.auth !== undefined) validateProxyAuth(options.auth);
	const squidBin = options.squidBin ?? squidToolDefaults.squidBin;
	const missing = await missingSquidTools(options, options.auth !== undefined);
	if (missing.length > 0) {
		throw new TestkitError(
			'ERR_TESTKIT_TOOL_MISSING',
			`Squid tools missing: ${missing.join(', ')} (install squid-openssl, apache2-utils)`,
		);
	}
	const host = options.host ?? '127.0.0.1';
	const dir = await mkdtemp(join(tmpdir(), 'testkit-squid-'));
	removeOnExit(dir);
	try {
		const run = await prepareRun(options, dir);
		const configFile = join(dir, 'squid.conf');
		for (let attempt = 1; ; attempt += 1) {
			const ports: Ports = {
				http: await findFreePort(host),
				https: options.tls === undefined ? undefined : await findFreePort(host),
			};
			await writeFile(configFile, run.configFor(ports), { mode: 0o644 });
			const listeners = [{ host, port: ports.http, tls: false }];
			if (ports.https !== undefined) listeners.push({ host, port: ports.https, tls: true });
			let squid: SquidProcess;
			try {
				squid = await launchSquid(squidBin, configFile, dir, listeners, options.startTimeoutMs ?? 10_000);
			} catch (error) {
				// Another process took a port between findFreePort() and Squid's bind: try other ports.
				if (error instanceof SquidLaunchError && error.addressInUse && attempt < 3) continue;
				throw error;
			}
			return squidProxy(squid, dir, host, ports);
		}
	} catch (error) {
		await removeDir(dir);
		throw error;
	}
}

function squidProxy(squid: SquidProcess, dir: string, host: LoopbackHost, ports: Ports): SquidProxy {
	const accessLog = join(dir, 'access.log');
	let closed: Promise<void> | undefined;
	return {
		url: loopbackOrigin('http', host, ports.http),
		httpsUrl: ports.https === undefined ? undefined : loopbackOrigin('https', host, ports.https),
		host,
		port: ports.http,
		httpsPort: ports.https,
		dir,
		readAccessLog: async (options = {}) => {
			const until = options.until ?? ((entries) => entries.length >= (options.minEntries ?? 1));
			const deadline = Date.now() + (options.timeoutMs ?? 5000);
			for (;;) {
				const entries = parseSquidAccessLog(await readFile(accessLog, 'utf8').catch(() => ''));
				if (until(entries)) return entries;
				if (Date.now() > deadline) {
					const lines = entries.map((entry) => entry.raw).join('\n') || '(empty)';
					throw new TestkitError(
						'ERR_TESTKIT_TIMEOUT',
						`squid access log never matched; it holds:\n${lines}`,
					);
				}
				await new Promise((resolve) => setTimeout(resolve, 25));
			}
		},
		readCacheLog: () => readFile(join(dir, 'cache.log'), 'utf8').catch(() => squid.stderrTail()),
		close: () => {
			closed ??= squid.kill().then(() => removeDir(dir));
			return closed;
		},
	};
}
