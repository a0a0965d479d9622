/**
 * The devnet's forward proxy, one interface over two implementations: a real Squid (when installed) or the
 * testkit's in-process proxy. Either way it speaks TLS (a certificate from the run's CA), demands Basic
 * credentials and reaches loopback only; what it saw is read back as {@link ProxyTransaction}s.
 */
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { missingSquidTools, startForwardProxy, startSquid } from '@homeserver/testkit';
import type { ForwardProxy, SquidProxy, TlsMaterial } from '@homeserver/testkit';
import { DevnetError } from './errors.js';

/** Which proxy runs: Squid, the in-process proxy, or `auto` (Squid when its tools are installed). */
export type ProxyChoice = 'auto' | 'squid' | 'in-process';

/** One request the proxy handled, the same shape for both implementations. */
export interface ProxyTransaction {
	/** `CONNECT` (a tunnel, https:// destinations) or the method of an absolute-form request (http://). */
	readonly method: string;
	/** `host:port` for CONNECT, the absolute URL otherwise. */
	readonly target: string;
	/** The user whose credentials the proxy accepted (Squid: the user name presented), or undefined. */
	readonly user: string | undefined;
	/** Status the proxy answered with (0 while unknown). */
	readonly status: number;
	/** Squid's result code (`TCP_TUNNEL`, `TCP_MISS`, `TCP_DENIED`) or the in-process proxy's outcome. */
	readonly outcome: string;
}

/** A running devnet proxy. */
export interface DevnetProxy {
	readonly kind: 'squid' | 'in-process';
	/** `https://127.0.0.1:PORT`, without credentials. */
	readonly origin: string;
	readonly port: number;
	readonly username: string;
	/**
	 * What the proxy logged so far. Squid writes a CONNECT line when the tunnel closes, so read this after the
	 * clients have closed their connections (the workers stopped) to see every tunnel.
	 */
	transactions(): Promise<ProxyTransaction[]>;
	/** Writes the proxy's logs (never a credential) into `dir`; returns the files written. */
	saveLogs(dir: string): Promise<string[]>;
	close(): Promise<void>;
}

/** Options of {@link startDevnetProxy}. */
export interface DevnetProxyOptions {
	readonly choice: ProxyChoice;
	readonly tls: TlsMaterial;
	readonly username: string;
	readonly password: string;
	readonly realm: string;
}

/** Starts the proxy the options ask for; `auto` picks Squid when `/usr/sbin/squid` and its helpers exist. */
export async function startDevnetProxy(options: DevnetProxyOptions): Promise<DevnetProxy> {
	const auth = { username: options.username, password: options.password, realm: options.realm };
	let kind = options.choice;
	if (kind === 'auto') kind = (await missingSquidTools()).length === 0 ? 'squid' : 'in-process';
	if (kind === 'squid') {
		const missing = await missingSquidTools();
		if (missing.length > 0) {
			throw new DevnetError(
				'ERR_DEVNET_START',
				`Squid was asked for but is missing (${missing.join(', ')}): install squid-openssl and apache2-utils`,
			);
		}
		return squidProxy(await startSquid({ auth, tls: options.tls }), options.username);
	}
	return inProcessProxy(await startForwardProxy({ auth, tls: options.tls }), options.username);
}

function squidProxy(squid: SquidProxy, username: string): DevnetProxy {
	if (squid.httpsUrl === undefined || squid.httpsPort === undefined) {
		throw new DevnetError('ERR_DEVNET_START', 'Squid started without its https_port');
	}
	return {
		kind: 'squid',
		origin: squid.httpsUrl,
		port: squid.httpsPort,
		username,
		transactions: async () =>
			(await squid.readAccessLog({ minEntries: 0 })).map((entry) => ({
				method: entry.method,
				target: entry.url,
				user: entry.user,
				status: entry.status,
				outcome: entry.squidCode,
			})),
		saveLogs: async (dir) => {
			const files = [join(dir, 'squid-access.log'), join(dir, 'squid-cache.log')];
			await copyFile(join(squid.dir, 'access.log'), files[0]!).catch(() => writeFile(files[0]!, ''));
			await writeFile(files[1]!, await squid.readCacheLog());
			return files;
		},
		close: () => squid.close(),
	};
}

function inProcessProxy(proxy: ForwardProxy, username: string): DevnetProxy {
	const transactions = (): ProxyTransaction[] =>
		proxy.log.map((entry) => ({
			method: entry.method,
			target: entry.target,
			user: entry.authorizedUser,
			status: entry.status ?? 0,
			outcome: entry.outcome,
		}));
	return {
		kind: 'in-process',
		origin: proxy.url,
		port: proxy.port,
		username,
		transactions: () => Promise.resolve(transactions()),
		saveLogs: async (dir) => {
			// The recorded headers hold Proxy-Authorization: only the safe fields are written.
			const file = join(dir, 'proxy-access.log');
			const lines = transactions().map((entry) => JSON.stringify(entry));
			await writeFile(file, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
			return [file];
		},
		close: () => proxy.close(),
	};
}
