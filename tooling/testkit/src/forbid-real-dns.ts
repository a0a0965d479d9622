import type * as DnsModule from 'node:dns';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { isIP } from 'node:net';

// The mutable CommonJS module object: what `net` reads `lookup` from at each connection (an ESM namespace is frozen).
const dns = createRequire(import.meta.url)('node:dns') as typeof DnsModule;

/** What {@link forbidRealDns} returns: the names something tried to resolve, and a way to undo the patch. */
export interface DnsGuard {
	/** Every name a lookup or query was refused for, in order (`resolveSrv _matrix._tcp.example.org`, ...). */
	readonly attempts: string[];
	/** Puts the real functions back. */
	restore(): void;
}

type AnyFunction = (...args: unknown[]) => unknown;

const queryNames = [
	'resolve',
	'resolve4',
	'resolve6',
	'resolveAny',
	'resolveCaa',
	'resolveCname',
	'resolveMx',
	'resolveNaptr',
	'resolveNs',
	'resolvePtr',
	'resolveSoa',
	'resolveSrv',
	'resolveTxt',
	'reverse',
] as const;

function refusal(what: string, name: string): NodeJS.ErrnoException {
	const error: NodeJS.ErrnoException = new Error(
		`testkit forbids real DNS in tests: ${what} ${JSON.stringify(name)} refused (inject a lookup/resolver such as loopbackLookup)`,
	);
	error.code = 'ENOTFOUND';
	error.syscall = what;
	return error;
}

function localAnswer(name: string): { address: string; family: number }[] | undefined {
	if (isIP(name) !== 0) return [{ address: name, family: isIP(name) }];
	if (name.toLowerCase() === 'localhost') return [{ address: '127.0.0.1', family: 4 }];
	return undefined;
}

/**
 * Makes every real DNS use in this process fail loudly: `dns.lookup` (what `net`, `http` and got use by default),
 * `dns.promises.lookup`, and the `resolve*`/`reverse` queries of `dns`, `dns.promises` and their `Resolver`
 * classes. IP literals and `localhost` still answer locally. Call it at the top of a test file: a test whose code
 * forgot to inject a lookup then fails with a clear message instead of querying the network.
 */
export function forbidRealDns(): DnsGuard {
	const attempts: string[] = [];
	const restores: (() => void)[] = [];
	const patch = (target: object, key: string, replacement: AnyFunction): void => {
		const record = target as Record<string, unknown>;
		const original = record[key];
		record[key] = replacement;
		restores.push(() => {
			record[key] = original;
		});
	};

	patch(dns, 'lookup', (...args: unknown[]) => {
		const name = String(args[0]);
		const callback = args[args.length - 1] as (
			error: Error | null,
			address?: unknown,
			family?: number,
		) => void;
		const options = args.length > 2 ? args[1] : undefined;
		const all =
			typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
		const answer = localAnswer(name);
		if (answer === undefined) attempts.push(`lookup ${name}`);
		process.nextTick(() => {
			const first = answer?.[0];
			if (answer === undefined || first === undefined) callback(refusal('getaddrinfo', name));
			else if (all) callback(null, answer);
			else callback(null, first.address, first.family);
		});
	});
	patch(dns.promises, 'lookup', (name: unknown, options?: unknown) => {
		const answer = localAnswer(String(name));
		if (answer === undefined) {
			attempts.push(`lookup ${String(name)}`);
			return Promise.reject(refusal('getaddrinfo', String(name)));
		}
		const all =
			typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
		return Promise.resolve(all ? answer : answer[0]);
	});
	for (const query of queryNames) {
		const callbackForm = (...args: unknown[]): void => {
			attempts.push(`${query} ${String(args[0])}`);
			const callback = args[args.length - 1] as (error: Error) => void;
			process.nextTick(() => callback(refusal(query, String(args[0]))));
		};
		const promiseForm = (name: unknown): Promise<never> => {
			attempts.push(`${query} ${String(name)}`);
			return Promise.reject(refusal(query, String(name)));
		};
		patch(dns, query, callbackForm);
		patch(dns.Resolver.prototype, query, callbackForm);
		patch(dns.promises, query, promiseForm);
		patch(dns.promises.Resolver.prototype, query, promiseForm);
	}
	syncBuiltinESMExports();
	return {
		attempts,
		restore: () => {
			for (const undo of restores.reverse()) undo();
			restores.length = 0;
			syncBuiltinESMExports();
		},
	};
}
