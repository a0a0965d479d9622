/**
 * A process-wide guard on `net.Socket#connect` (which `net.connect`, `http.Agent` and `tls.connect` all end in):
 * every TCP connection attempt of the test process is recorded with the addresses it would really reach, and any
 * address outside loopback is refused before a packet leaves, recorded as a violation. So a test can both prove that
 * a refused request opened no socket to its target, and stay on loopback even when the code under test is wrong.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress } from 'node:dns';
import { BlockList, isIP, Socket } from 'node:net';

/** One connection attempt: the host asked for and the addresses it resolved to (the literal itself for IPs). */
export interface ConnectAttempt {
	readonly host: string;
	readonly port: number;
	readonly addresses: readonly string[];
}

type LookupCallback = (
	error: NodeJS.ErrnoException | null,
	address: string | LookupAddress[],
	family?: number,
) => void;
type Lookup = (hostname: string, options: object, callback: LookupCallback) => void;
type Connect = (this: Socket, ...args: unknown[]) => Socket;

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
loopback.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/** Whether an address (IPv4, IPv6, mapped) is loopback. Anything unparsable is not. */
export function isLoopback(address: string): boolean {
	const family = isIP(address);
	return family !== 0 && loopback.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const attempts: ConnectAttempt[] = [];
const violations: ConnectAttempt[] = [];
const scopes = new AsyncLocalStorage<ConnectAttempt[]>();

function record(attempt: ConnectAttempt): boolean {
	const ok = attempt.addresses.every(isLoopback);
	(ok ? attempts : violations).push(attempt);
	scopes.getStore()?.push(attempt);
	return ok;
}

function refusal(attempt: ConnectAttempt): Error {
	const error: NodeJS.ErrnoException = new Error(
		`hostile socket guard: refused a connection to ${attempt.host} (${attempt.addresses.join(', ')}), not loopback`,
	);
	error.code = 'EHOSTILEGUARD';
	return error;
}

function guardedLookup(inner: Lookup, host: string, port: number): Lookup {
	return (hostname, options, callback) => {
		inner(hostname, options, (error, address, family) => {
			if (error !== null) return callback(error, address, family);
			const list = Array.isArray(address) ? address.map((entry) => entry.address) : [address];
			const attempt = { host, port, addresses: list };
			if (!record(attempt)) return callback(refusal(attempt), Array.isArray(address) ? [] : '', family);
			callback(null, address, family);
		});
	};
}

let installed = false;

/**
 * Installs the guard (once per process; every test file imports it through the shared helpers). Unix sockets pass
 * untouched; everything else goes through the checks above.
 */
export function installSocketGuard(): void {
	if (installed) return;
	installed = true;
	const original = Object.getOwnPropertyDescriptor(Socket.prototype, 'connect')?.value as Connect;
	const guarded: Connect = function (this: Socket, ...args: unknown[]): Socket {
		const first = args[0];
		let options: Record<string, unknown>;
		if (Array.isArray(first)) {
			options = first[0] as Record<string, unknown>;
		} else if (typeof first === 'object' && first !== null) {
			options = first as Record<string, unknown>;
		} else if (typeof first === 'string' && !/^\d+$/.test(first)) {
			return original.apply(this, args); // a unix socket path
		} else {
			const host = typeof args[1] === 'string' ? args[1] : 'localhost';
			const callback = args.find((arg) => typeof arg === 'function');
			options = { port: Number(first), host };
			args = callback === undefined ? [options] : [options, callback];
		}
		if (typeof options['path'] === 'string') return original.apply(this, args);
		const host = typeof options['host'] === 'string' ? options['host'] : 'localhost';
		const port = Number(options['port']);
		const bare = host.startsWith('[') ? host.slice(1, -1) : host;
		if (isIP(bare) !== 0) {
			const attempt = { host, port, addresses: [bare] };
			if (!record(attempt)) {
				process.nextTick(() => this.destroy(refusal(attempt)));
				return this;
			}
			return original.apply(this, args);
		}
		const inner = (typeof options['lookup'] === 'function' ? options['lookup'] : dnsLookup) as Lookup;
		const replaced = { ...options, lookup: guardedLookup(inner, host, port) };
		if (Array.isArray(first)) first[0] = replaced;
		else args[0] = replaced;
		return original.apply(this, args);
	};
	Object.defineProperty(Socket.prototype, 'connect', { value: guarded, writable: true, configurable: true });
}

/** Attempts that would have left loopback (refused by the guard); must stay empty. */
export function guardViolations(): readonly ConnectAttempt[] {
	return violations;
}

/** Returns and forgets the violations so far (only for the test that proves the guard works). */
export function drainViolations(): ConnectAttempt[] {
	return violations.splice(0, violations.length);
}

/** Every loopback connection attempt so far, in order. */
export function allAttempts(): readonly ConnectAttempt[] {
	return attempts;
}

/**
 * Runs `action` and returns what it settled with plus the connection attempts made in its async context, refused
 * ones included (sockets opened by servers or proxies on other contexts are not counted).
 */
export async function watchConnections<T>(
	action: () => Promise<T>,
): Promise<{ result: T | undefined; error: unknown; attempts: ConnectAttempt[] }> {
	const seen: ConnectAttempt[] = [];
	return scopes.run(seen, async () => {
		try {
			return { result: await action(), error: undefined, attempts: seen };
		} catch (error) {
			return { result: undefined, error, attempts: seen };
		}
	});
}
