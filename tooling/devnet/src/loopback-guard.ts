/**
 * A safety net preloaded into every process the devnet starts (`node --import <this file>`): a TCP connection to
 * anything but a loopback address is refused before its socket connects, and said on stderr as a
 * `devnet-guard:` line. The devnet's own SSRF checks expect our routing to refuse such requests first (with
 * `ERR_IP_BLOCKED`), and fail when this guard had to step in; the guard only makes sure that even a routing bug
 * can never reach the network outside this machine.
 */
import { createRequire } from 'node:module';
import type * as DnsModule from 'node:dns';
import type { LookupAddress, LookupOneOptions } from 'node:dns';
import type * as NetModule from 'node:net';
import { GUARD_MARKER } from './guard-marker.js';

// The CommonJS module objects: the ones `http`, `https` and `tls` really use (ESM namespaces are frozen copies).
const require = createRequire(import.meta.url);
const net = require('node:net') as typeof NetModule;
const dns = require('node:dns') as typeof DnsModule;

const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Whether `address` is an IP literal on loopback (127.0.0.0/8, ::1, or their IPv4-mapped forms). */
export function isLoopbackIp(address: string): boolean {
	const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
	const family = net.isIP(bare);
	return family !== 0 && loopback.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

function refusal(target: string): NodeJS.ErrnoException {
	process.stderr.write(`${GUARD_MARKER} refused a connection to ${target}: not a loopback address\n`);
	const error: NodeJS.ErrnoException = new Error(`${GUARD_MARKER} ${target} is not a loopback address`);
	error.code = 'ERR_DEVNET_NON_LOOPBACK';
	return error;
}

type LookupCallback = (
	error: NodeJS.ErrnoException | null,
	address: string | LookupAddress[],
	family?: number,
) => void;
type Lookup = (hostname: string, options: LookupOneOptions, callback: LookupCallback) => void;

/** Wraps a lookup so that a name resolving to any non-loopback address fails instead of connecting. */
function guardedLookup(original: Lookup): Lookup {
	return (hostname, options, callback) => {
		original(hostname, options, (error, address, family) => {
			if (error !== null) return callback(error, address, family);
			const addresses = Array.isArray(address) ? address.map((entry) => entry.address) : [address];
			const outside = addresses.find((entry) => !isLoopbackIp(entry));
			if (outside !== undefined) return callback(refusal(`${hostname} (${outside})`), address, family);
			callback(null, address, family);
		});
	};
}

type ConnectArgs = unknown[];
// Read through Reflect: the method is re-bound on every call with `apply`/`call`.
const originalConnect = Reflect.get(net.Socket.prototype, 'connect') as (
	this: NetModule.Socket,
	...args: ConnectArgs
) => NetModule.Socket;

function connectOptions(
	args: ConnectArgs,
): { options: Record<string, unknown>; callback: unknown } | undefined {
	const first = args[0];
	const callback = args.find((arg) => typeof arg === 'function');
	if (Array.isArray(first)) {
		const options: unknown = first[0];
		return typeof options === 'object' && options !== null
			? { options: options as Record<string, unknown>, callback: first[1] ?? callback }
			: undefined;
	}
	if (typeof first === 'object' && first !== null)
		return { options: first as Record<string, unknown>, callback };
	if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
		return { options: { port: first, host: typeof args[1] === 'string' ? args[1] : 'localhost' }, callback };
	}
	return undefined;
}

net.Socket.prototype.connect = function guardedConnect(this: NetModule.Socket, ...args: ConnectArgs) {
	const parsed = connectOptions(args);
	if (parsed === undefined || typeof parsed.options['path'] === 'string')
		return originalConnect.apply(this, args);
	const host = typeof parsed.options['host'] === 'string' ? parsed.options['host'] : 'localhost';
	if (net.isIP(host) !== 0) {
		if (isLoopbackIp(host)) return originalConnect.apply(this, args);
		const error = refusal(`${host}:${String(parsed.options['port'])}`);
		process.nextTick(() => this.destroy(error));
		return this;
	}
	const lookup = (parsed.options['lookup'] ?? dns.lookup) as Lookup;
	const options = { ...parsed.options, lookup: guardedLookup(lookup) };
	return typeof parsed.callback === 'function'
		? originalConnect.call(this, options, parsed.callback)
		: originalConnect.call(this, options);
};
