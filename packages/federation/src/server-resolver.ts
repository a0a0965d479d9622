import { resolveSrv } from 'node:dns/promises';
import { abortedError, unlessAborted } from './abort.js';
import { FederationResolutionError } from './errors.js';
import { formatHostPort, formatServerName, parseServerName } from './server-name.js';
import type { ServerName } from './server-name.js';
import { SrvLookup, SrvLookupFailure } from './srv-lookup.js';
import type { SrvTarget } from './srv-lookup.js';
import type { SrvDns } from './srv-records.js';
import { WellKnownResolver } from './well-known-resolver.js';
import type { WellKnownFetcher } from './well-known-resolver.js';

/** The federation port used when neither the server name, `.well-known` nor SRV gives one. */
export const DEFAULT_FEDERATION_PORT = 8448;

/** How a candidate was found (the spec's resolution steps). */
export type CandidateSource = 'ip-literal' | 'explicit-port' | 'srv' | 'srv-legacy' | 'default-port';

/** One place to send a federation request to; try candidates in order until one connects. */
export interface ResolvedCandidate {
	/** Where to connect (the CONNECT target when proxied): IP (IPv6 without brackets) or IDNA DNS name. */
	readonly host: string;
	readonly port: number;
	/** The name the TLS certificate must be valid for: the (delegated) server's host, never an SRV target. */
	readonly serverName: string;
	/** The SNI to send: {@link serverName}, or undefined when it is an IP address (no SNI for IPs). */
	readonly sni: string | undefined;
	/** The `Host` header: the (delegated) server name, with its port only when it had one (`[::1]:80`). */
	readonly hostHeader: string;
	readonly source: CandidateSource;
	/** Whether `.well-known` delegated the server name to another one. */
	readonly delegated: boolean;
	/** Human-readable log of the resolution, ending with this candidate (for `federation-sender resolve`). */
	readonly steps: readonly string[];
}

/** What {@link createServerResolver} needs; everything that touches the network or time is injected. */
export interface ServerResolverDeps {
	/** Fetches `.well-known/matrix/server` (the HTTP client lives elsewhere). */
	readonly fetchWellKnown: WellKnownFetcher;
	/** SRV lookups; defaults to `node:dns/promises` (which gives no TTL, so SRV answers are not cached). */
	readonly dns?: SrvDns;
	/** Clock in ms; defaults to `Date.now`. */
	readonly now?: () => number;
	/** Uniform random in [0, 1) for cache jitter and SRV weights; defaults to `Math.random`. */
	readonly random?: () => number;
	/** Delay between `.well-known` retries; defaults to a timer. */
	readonly sleep?: (ms: number) => Promise<void>;
	/** Bound of each cache (well-known, SRV); default 10 000 server names. */
	readonly maxCacheEntries?: number;
	/** Budget of one `.well-known` lookup, attempts and redirects included (default `WELL_KNOWN_TIMEOUT_MS`, 10 s). */
	readonly wellKnownTimeoutMs?: number;
	/** Time for one SRV answer; none in time is a DNS failure (default `SRV_TIMEOUT_MS`, 5 s). */
	readonly srvTimeoutMs?: number;
}

/** Per-call options of {@link ServerResolver.resolve}. */
export interface ResolveOptions {
	/**
	 * The caller's deadline or cancellation: once it aborts, `resolve` rejects at once (with the signal's reason when
	 * it is a federation error, else `ERR_ABORTED`). A `.well-known` fetch shared with other callers goes on within
	 * its own budget; an SRV lookup is dropped.
	 */
	readonly signal?: AbortSignal | undefined;
}

/** Resolves Matrix server names to connection candidates. */
export interface ServerResolver {
	/**
	 * Resolves a server name as the spec's "Resolving server names" says, to candidates in the order to try.
	 * Throws `ServerNameError` for an invalid name and {@link FederationResolutionError} when DNS fails.
	 */
	resolve(serverName: string, options?: ResolveOptions): Promise<ResolvedCandidate[]>;
	/**
	 * Whether resolving `serverName` now needs a `.well-known` fetch (a DNS name without port whose delegation is not
	 * cached fresh): the part of a resolution a remote controls, and can make slow. False for invalid names.
	 */
	needsWellKnown(serverName: string): boolean;
	/** Forgets every cached `.well-known` and SRV answer. */
	clearCache(): void;
}

/**
 * Creates a resolver: IP literal → that IP (port given or 8448); explicit port → that host and port; else
 * `.well-known/matrix/server` (cached as Synapse does), and on the (delegated) name: IP literal or port → use
 * it; else SRV `_matrix-fed._tcp.<name>`, then (only if that has no record) the deprecated `_matrix._tcp.<name>`,
 * targets in RFC 2782 order; else `<name>:8448`. TLS name, SNI and `Host` are always the (delegated) server
 * name, never an SRV target.
 */
export function createServerResolver(deps: ServerResolverDeps): ServerResolver {
	const now = deps.now ?? Date.now;
	const random = deps.random ?? Math.random;
	const maxEntries = deps.maxCacheEntries ?? 10_000;
	const wellKnown = new WellKnownResolver({
		fetch: deps.fetchWellKnown,
		now,
		random,
		sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
		maxEntries,
		...(deps.wellKnownTimeoutMs === undefined ? {} : { timeoutMs: deps.wellKnownTimeoutMs }),
	});
	const srv = new SrvLookup({
		dns: deps.dns ?? { resolveSrv },
		now,
		random,
		maxEntries,
		...(deps.srvTimeoutMs === undefined ? {} : { timeoutMs: deps.srvTimeoutMs }),
	});

	async function resolve(input: string, options: ResolveOptions = {}): Promise<ResolvedCandidate[]> {
		const { signal } = options;
		if (signal?.aborted === true) throw abortedError(input, signal);
		const name = parseServerName(input);
		const steps = [`server name ${JSON.stringify(input)}: ${describeName(name)}`];
		if (name.kind !== 'dns') {
			steps.push('IP literal: no .well-known, no SRV');
			return [direct(name, 'ip-literal', false, steps)];
		}
		if (name.port !== undefined) {
			steps.push('explicit port: no .well-known, no SRV');
			return [direct(name, 'explicit-port', false, steps)];
		}
		const delegation = await unlessAborted(wellKnown.lookup(name.host), signal, input);
		steps.push(delegation.detail);
		if (delegation.delegatedServer === null) {
			return bySrv(input, name, false, steps, signal);
		}
		const target = parseServerName(delegation.delegatedServer);
		steps.push(`delegated to ${JSON.stringify(delegation.delegatedServer)}: ${describeName(target)}`);
		if (target.kind !== 'dns') {
			steps.push('delegated to an IP literal: no SRV');
			return [direct(target, 'ip-literal', true, steps)];
		}
		if (target.port !== undefined) {
			steps.push('delegated with an explicit port: no SRV');
			return [direct(target, 'explicit-port', true, steps)];
		}
		return bySrv(input, target, true, steps, signal);
	}

	async function bySrv(
		input: string,
		name: ServerName,
		delegated: boolean,
		steps: string[],
		signal: AbortSignal | undefined,
	): Promise<ResolvedCandidate[]> {
		try {
			const modern = await srv.lookup(`_matrix-fed._tcp.${name.host}`, signal);
			steps.push(modern.detail);
			if (modern.targets.length > 0) {
				return modern.targets.map((target, i, all) =>
					viaSrv(name, target, 'srv', delegated, steps, i, all.length),
				);
			}
			const legacy = await srv.lookup(`_matrix._tcp.${name.host}`, signal);
			steps.push(`${legacy.detail} (deprecated record)`);
			if (legacy.targets.length > 0) {
				return legacy.targets.map((target, i, all) =>
					viaSrv(name, target, 'srv-legacy', delegated, steps, i, all.length),
				);
			}
		} catch (error) {
			if (signal?.aborted === true) throw abortedError(input, signal);
			if (error instanceof SrvLookupFailure) {
				steps.push(error.message);
				throw new FederationResolutionError(input, error.message, { cause: error.cause ?? error, steps });
			}
			throw error;
		}
		steps.push(`no SRV record: port ${DEFAULT_FEDERATION_PORT}`);
		return [
			direct(
				{ ...name, port: DEFAULT_FEDERATION_PORT },
				'default-port',
				delegated,
				steps,
				formatServerName(name),
			),
		];
	}

	return {
		resolve,
		needsWellKnown(input: string): boolean {
			let name: ServerName;
			try {
				name = parseServerName(input);
			} catch {
				return false;
			}
			return name.kind === 'dns' && name.port === undefined && !wellKnown.isFresh(name.host);
		},
		clearCache(): void {
			wellKnown.clear();
			srv.clear();
		},
	};
}

function direct(
	name: ServerName,
	source: CandidateSource,
	delegated: boolean,
	steps: readonly string[],
	hostHeader = formatServerName(name),
): ResolvedCandidate {
	const port = name.port ?? DEFAULT_FEDERATION_PORT;
	return candidate(name, name.host, port, hostHeader, source, delegated, steps, '');
}

function viaSrv(
	name: ServerName,
	target: SrvTarget,
	source: CandidateSource,
	delegated: boolean,
	steps: readonly string[],
	index: number,
	total: number,
): ResolvedCandidate {
	const note = ` (SRV target ${index + 1} of ${total}, priority ${target.priority}, weight ${target.weight})`;
	return candidate(name, target.host, target.port, formatServerName(name), source, delegated, steps, note);
}

function candidate(
	name: ServerName,
	host: string,
	port: number,
	hostHeader: string,
	source: CandidateSource,
	delegated: boolean,
	steps: readonly string[],
	note: string,
): ResolvedCandidate {
	const sni = name.kind === 'dns' ? name.host : undefined;
	const tls = sni === undefined ? `TLS name ${name.host} (IP, no SNI)` : `TLS name and SNI ${sni}`;
	const line = `connect to ${formatHostPort(host, port)}${note}; ${tls}; Host ${hostHeader}`;
	return { host, port, serverName: name.host, sni, hostHeader, source, delegated, steps: [...steps, line] };
}

function describeName(name: ServerName): string {
	const kind = { ipv4: 'IPv4 literal', ipv6: 'IPv6 literal', dns: 'DNS name' }[name.kind];
	const host = name.kind === 'dns' ? ` ${name.host}` : '';
	return `${kind}${host}, ${name.port === undefined ? 'no port' : `port ${name.port}`}`;
}
