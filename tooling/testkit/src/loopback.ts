import { BlockList, isIP } from 'node:net';
import { TestkitError } from './errors.js';

/** The two addresses testkit servers may listen on. Nothing in the testkit ever binds another address. */
export type LoopbackHost = '127.0.0.1' | '::1';

const loopbackRanges = new BlockList();
loopbackRanges.addSubnet('127.0.0.0', 8, 'ipv4');
loopbackRanges.addAddress('::1', 'ipv6');

/**
 * Whether `address` is an IP literal inside 127.0.0.0/8 or equal to ::1 (in any spelling, IPv4-mapped forms
 * included). Names (even `localhost`) are not addresses and return false: the testkit never resolves them.
 */
export function isLoopbackAddress(address: string): boolean {
	const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
	const family = isIP(bare);
	if (family === 4) return loopbackRanges.check(bare, 'ipv4');
	if (family === 6) return loopbackRanges.check(bare, 'ipv6');
	return false;
}

/** Throws `ERR_TESTKIT_NOT_LOOPBACK` unless `address` is a loopback IP literal; `what` names it in the message. */
export function assertLoopbackAddress(address: string, what: string): void {
	if (!isLoopbackAddress(address)) {
		throw new TestkitError(
			'ERR_TESTKIT_NOT_LOOPBACK',
			`${what} must be a loopback address (127.0.0.0/8 or ::1), got ${JSON.stringify(address)}`,
		);
	}
}

/** `host:port` with an IPv6 host in brackets, as in a URL authority or a CONNECT request-target. */
export function formatAuthority(host: string, port: number): string {
	return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
