import type { IncomingMessage } from 'node:http';

/**
 * What every HTTP client under test looks like to a scenario: one GET that reads and checks the whole body,
 * and a close that releases its pools.
 */

/** The proxy every contender goes through (Squid on loopback), with its own Basic-auth user. */
export interface ProxyTarget {
	readonly host: string;
	readonly port: number;
	readonly username: string;
	readonly password: string;
}

/** The proxy URL with credentials, percent-encoded, as peers take it. */
export function proxyUrl(p: ProxyTarget): string {
	return `http://${encodeURIComponent(p.username)}:${encodeURIComponent(p.password)}@${p.host}:${p.port}`;
}

/** The `Proxy-Authorization` value for a proxy target. */
export function proxyAuthorization(p: ProxyTarget): string {
	return `Basic ${Buffer.from(`${p.username}:${p.password}`).toString('base64')}`;
}

/** What a contender is built from. */
export interface ContenderSetup {
	readonly proxy: ProxyTarget;
	/** PEM of the CA that issued the origin's certificate (every contender verifies certificates). */
	readonly caPem: string;
	/** The same CA as a file, for configuration that takes paths. */
	readonly caFile: string;
	/** Size every response body must have (checked, so a contender cannot win by not reading). */
	readonly expectedBytes: number;
}

/** One HTTP client under test. */
export interface HttpContender {
	/** GETs `url` through the proxy, reads the whole body, throws unless status 200 and the expected size. */
	get(url: string): Promise<void>;
	/** Destroys pools and sockets. */
	close(): Promise<void>;
}

/** Throws unless a response is 200 with `expected` bytes. */
export function checkResponse(status: number | undefined, bytes: number, expected: number): void {
	if (status !== 200) throw new Error(`status ${status}`);
	if (bytes !== expected) throw new Error(`body of ${bytes} bytes, expected ${expected}`);
}

/** Reads a node:http response to the end and checks it. */
export function readNodeResponse(res: IncomingMessage, expected: number): Promise<void> {
	return new Promise((resolve, reject) => {
		let bytes = 0;
		res.on('data', (chunk: Buffer) => (bytes += chunk.length));
		res.on('error', reject);
		res.on('end', () => {
			try {
				checkResponse(res.statusCode, bytes, expected);
				resolve();
			} catch (error) {
				reject(error instanceof Error ? error : new Error(String(error)));
			}
		});
	});
}
