import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { TestkitError } from './errors.js';
import { assertLoopbackAddress, isLoopbackAddress } from './loopback.js';

/** A name → loopback address(es) map: exact names (`test.com`) and wildcards (`*.test`: every subdomain). */
export type LoopbackHostMap = Readonly<Record<string, string | readonly string[]>>;

/** A `dns.lookup`-compatible function (for `net.connect`, `http.request`, got's `dnsLookup`) that never uses DNS. */
export interface LoopbackLookup extends LookupFunction {
	/** The host names asked for, in order (normalised: lower case, no trailing dot). */
	readonly calls: string[];
}

type LookupCallback = (
	error: NodeJS.ErrnoException | null,
	address: string | LookupAddress[],
	family?: number,
) => void;

function normaliseName(name: string): string {
	return name.toLowerCase().replace(/\.$/, '');
}

function notFound(hostname: string, reason: string): NodeJS.ErrnoException {
	const error: NodeJS.ErrnoException & { hostname?: string } = new Error(
		`getaddrinfo ENOTFOUND ${hostname} (${reason})`,
	);
	error.code = 'ENOTFOUND';
	error.syscall = 'getaddrinfo';
	error.hostname = hostname;
	return error;
}

/** Compiles a host map into a matcher; every address is checked to be loopback once, up front. */
export function compileHostMap(map: LoopbackHostMap): (name: string) => LookupAddress[] | undefined {
	const exact = new Map<string, LookupAddress[]>();
	const suffixes: [string, LookupAddress[]][] = [];
	for (const [pattern, value] of Object.entries(map)) {
		const addresses = (typeof value === 'string' ? [value] : value).map((address) => {
			assertLoopbackAddress(address, `address of ${JSON.stringify(pattern)}`);
			return { address, family: isIP(address) };
		});
		if (addresses.length === 0) {
			throw new TestkitError('ERR_TESTKIT_INVALID_OPTION', `no address given for ${JSON.stringify(pattern)}`);
		}
		const name = normaliseName(pattern);
		if (name.startsWith('*.')) suffixes.push([name.slice(1), addresses]);
		else exact.set(name, addresses);
	}
	suffixes.sort((a, b) => b[0].length - a[0].length);
	return (name) => {
		const key = normaliseName(name);
		return (
			exact.get(key) ?? suffixes.find(([suffix]) => key.endsWith(suffix) && key.length > suffix.length)?.[1]
		);
	};
}

/**
 * A `dns.lookup` replacement mapping test names to loopback addresses (e.g. `{ 'test.com': '127.0.0.1',
 * '*.test': '::1' }`). Unmapped names fail with `ENOTFOUND`; it never asks real DNS, so code under test cannot reach
 * the network through it. IP literals are answered as themselves when loopback and refused otherwise. Supports
 * the callback forms `(name, cb)`, `(name, family, cb)`, `(name, options, cb)` and `{ all: true }`; the `family`
 * option filters the answer. Throws `ERR_TESTKIT_NOT_LOOPBACK` at creation if a mapped address is not loopback.
 */
export function loopbackLookup(map: LoopbackHostMap): LoopbackLookup {
	const resolve = compileHostMap(map);
	const calls: string[] = [];
	const lookup = (
		hostname: string,
		optionsOrCallback: LookupOptions | number | LookupCallback,
		maybeCallback?: LookupCallback,
	): void => {
		const callback = typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback;
		if (callback === undefined)
			throw new TestkitError('ERR_TESTKIT_INVALID_OPTION', 'lookup needs a callback');
		const options: LookupOptions =
			typeof optionsOrCallback === 'number'
				? { family: optionsOrCallback }
				: typeof optionsOrCallback === 'object'
					? optionsOrCallback
					: {};
		calls.push(normaliseName(hostname));
		const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0);
		let answer: LookupAddress[] | undefined;
		let reason = 'not in the test host map';
		if (isIP(hostname) !== 0) {
			answer = isLoopbackAddress(hostname) ? [{ address: hostname, family: isIP(hostname) }] : undefined;
			reason = 'a non-loopback IP literal';
		} else {
			answer = resolve(hostname);
		}
		const filtered = answer?.filter((entry) => family === 0 || entry.family === family) ?? [];
		process.nextTick(() => {
			const first = filtered[0];
			if (first === undefined)
				callback(notFound(hostname, answer ? `no IPv${family} address mapped` : reason), '');
			else if (options.all === true)
				callback(
					null,
					filtered.map((entry) => ({ ...entry })),
				);
			else callback(null, first.address, first.family);
		});
	};
	return Object.assign(lookup as LookupFunction, { calls });
}
