import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { isLoopbackAddress } from './loopback.js';

/** Where the proxy may connect, or why not. */
export type DestinationDecision =
	| { readonly kind: 'ok'; readonly address: string }
	| { readonly kind: 'unresolved'; readonly detail: string }
	| { readonly kind: 'refused'; readonly address: string };

/**
 * Parses a CONNECT request-target (authority-form): `name:port`, `1.2.3.4:port` or `[v6]:port`. An unbracketed
 * IPv6 literal (`::1:443`, the Synapse bug) is rejected, as are ports outside 1-65535.
 */
export function parseAuthority(target: string): { host: string; port: number } | undefined {
	const match = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9._-]+)):(\d{1,5})$/i.exec(target);
	if (match === null) return undefined;
	const host = match[1] ?? match[2] ?? '';
	const port = Number(match[3]);
	if (port < 1 || port > 65_535) return undefined;
	if (match[1] !== undefined && isIP(host) !== 6) return undefined;
	return { host, port };
}

function lookupAll(lookup: LookupFunction, host: string): Promise<LookupAddress[]> {
	return new Promise((resolve, reject) => {
		lookup(host, { all: true }, (error, addresses, family) => {
			if (error) reject(error);
			else if (typeof addresses === 'string')
				resolve([{ address: addresses, family: family ?? isIP(addresses) }]);
			else resolve(addresses);
		});
	});
}

/**
 * Decides the address the proxy connects to for `host`. IP literals are used as they are; names go through
 * `lookup` (without one, only `localhost` is known). Any non-loopback answer refuses the whole destination: the
 * proxy never opens a socket to anything but loopback, whatever the test or the code under test asks.
 */
export async function decideDestination(
	host: string,
	lookup: LookupFunction | undefined,
): Promise<DestinationDecision> {
	if (isIP(host) !== 0) {
		return isLoopbackAddress(host) ? { kind: 'ok', address: host } : { kind: 'refused', address: host };
	}
	if (lookup === undefined) {
		return host.toLowerCase() === 'localhost'
			? { kind: 'ok', address: '127.0.0.1' }
			: { kind: 'unresolved', detail: `no lookup configured for ${host}` };
	}
	let addresses: LookupAddress[];
	try {
		addresses = await lookupAll(lookup, host);
	} catch (error) {
		return { kind: 'unresolved', detail: error instanceof Error ? error.message : String(error) };
	}
	const outside = addresses.find((entry) => !isLoopbackAddress(entry.address));
	if (outside !== undefined) return { kind: 'refused', address: outside.address };
	const first = addresses[0];
	return first === undefined
		? { kind: 'unresolved', detail: `no address for ${host}` }
		: { kind: 'ok', address: first.address };
}
