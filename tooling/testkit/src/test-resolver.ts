import type { SrvRecord } from 'node:dns';
import { compileHostMap, loopbackLookup } from './loopback-lookup.js';
import type { LoopbackHostMap, LoopbackLookup } from './loopback-lookup.js';

/** Options of {@link createTestResolver}. Names are compared in lower case, without a trailing dot. */
export interface TestResolverOptions {
	/** SRV answers by full query name (`_matrix-fed._tcp.example.test`); an empty list answers ENODATA. */
	readonly srv?: Readonly<Record<string, readonly SrvRecord[]>>;
	/** Address records (loopback only), also served by {@link TestResolver.lookup}; wildcards as in `loopbackLookup`. */
	readonly a?: LoopbackHostMap;
	/** Names whose every query fails with this DNS error code (e.g. `ESERVFAIL`, `ETIMEOUT`, `ECONNREFUSED`). */
	readonly failures?: Readonly<Record<string, string>>;
}

/** One question a {@link TestResolver} was asked. */
export interface ResolverQuery {
	readonly type: 'SRV' | 'A' | 'AAAA';
	readonly name: string;
}

/**
 * The subset of `dns.promises.Resolver` that federation server-name resolution uses, answering from fixed
 * tables and never from the network, plus a matching `lookup`.
 */
export interface TestResolver {
	/** Like `Resolver#resolveSrv`: rejects with code ENOTFOUND (unknown name) or ENODATA (known, no SRV). */
	resolveSrv(name: string): Promise<SrvRecord[]>;
	/** Like `Resolver#resolve4`, from the `a` table. */
	resolve4(name: string): Promise<string[]>;
	/** Like `Resolver#resolve6`, from the `a` table. */
	resolve6(name: string): Promise<string[]>;
	/** A `dns.lookup` over the `a` table (see `loopbackLookup`). */
	readonly lookup: LoopbackLookup;
	/** Every resolveSrv/resolve4/resolve6 question, in order. */
	readonly queries: ResolverQuery[];
}

const syscalls = { SRV: 'querySrv', A: 'queryA', AAAA: 'queryAaaa' } as const;

function dnsError(type: ResolverQuery['type'], code: string, name: string): NodeJS.ErrnoException {
	const error: NodeJS.ErrnoException & { hostname?: string } = new Error(`${syscalls[type]} ${code} ${name}`);
	error.code = code;
	error.syscall = syscalls[type];
	error.hostname = name;
	return error;
}

function normalise(name: string): string {
	return name.toLowerCase().replace(/\.$/, '');
}

/**
 * A fake DNS resolver for federation tests (SRV `_matrix-fed._tcp` / `_matrix._tcp` and address records).
 * Answers asynchronously, with the error codes Node's resolver uses, so code written against
 * `dns.promises.Resolver` behaves the same with it. Address records must be loopback.
 */
export function createTestResolver(options: TestResolverOptions = {}): TestResolver {
	const srv = new Map(Object.entries(options.srv ?? {}).map(([name, records]) => [normalise(name), records]));
	const failures = new Map(
		Object.entries(options.failures ?? {}).map(([name, code]) => [normalise(name), code]),
	);
	const addresses = compileHostMap(options.a ?? {});
	const queries: ResolverQuery[] = [];

	async function ask<T>(
		type: ResolverQuery['type'],
		rawName: string,
		answer: (name: string) => T[] | undefined,
	): Promise<T[]> {
		const name = normalise(rawName);
		queries.push({ type, name });
		await new Promise((resolve) => setImmediate(resolve));
		const failure = failures.get(name);
		if (failure !== undefined) throw dnsError(type, failure, rawName);
		const result = answer(name);
		if (result === undefined) throw dnsError(type, 'ENOTFOUND', rawName);
		if (result.length === 0) throw dnsError(type, 'ENODATA', rawName);
		return result;
	}

	const known = (name: string): boolean => srv.has(name) || addresses(name) !== undefined;
	const byFamily = (family: 4 | 6) => (name: string) => {
		const found = addresses(name)
			?.filter((entry) => entry.family === family)
			.map((entry) => entry.address);
		return found ?? (known(name) ? [] : undefined);
	};

	return {
		resolveSrv: (name) =>
			ask(
				'SRV',
				name,
				(key) => srv.get(key)?.map((record) => ({ ...record })) ?? (known(key) ? [] : undefined),
			),
		resolve4: (name) => ask('A', name, byFamily(4)),
		resolve6: (name) => ask('AAAA', name, byFamily(6)),
		lookup: loopbackLookup(options.a ?? {}),
		queries,
	};
}
