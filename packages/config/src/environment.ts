/**
 * The proxy environment variables (docs/architecture.md 3.1), read the way curl and Python's urllib read them:
 * names are case-insensitive, the all-lowercase spelling wins, an empty lowercase value cancels the other
 * spellings, and under CGI (`REQUEST_METHOD` set) an `HTTP_PROXY` not spelled in lowercase is ignored,
 * because a web server sets it from a client's `Proxy:` header (CVE-2016-1000110).
 */
import type { Environment } from './types.js';

/** One proxy variable that applies, with the exact name it was found under (for messages). */
export interface EnvironmentSetting {
	readonly name: string;
	readonly value: string;
}

/** The proxy variables that apply after the precedence rules. */
export interface ProxyEnvironment {
	readonly http: EnvironmentSetting | undefined;
	readonly https: EnvironmentSetting | undefined;
	readonly noProxy: EnvironmentSetting | undefined;
	/** Names of `all_proxy` spellings that are set: never used, only warned about. */
	readonly allProxy: readonly string[];
	/** The name of an uppercase `HTTP_PROXY` ignored because `REQUEST_METHOD` is set (CGI), if any. */
	readonly ignoredForCgi: string | undefined;
}

/** Reads the proxy variables from an environment object (the caller passes `process.env` at the edge). */
export function readProxyEnvironment(env: Environment): ProxyEnvironment {
	const cgi = env['REQUEST_METHOD'] !== undefined;
	const http = pick(env, 'http_proxy');
	const ignored = cgi && http !== undefined && http.name !== 'http_proxy';
	return {
		http: ignored ? undefined : http,
		ignoredForCgi: ignored ? http.name : undefined,
		https: pick(env, 'https_proxy'),
		noProxy: pick(env, 'no_proxy'),
		allProxy: Object.keys(env).filter(
			(name) => name.toLowerCase() === 'all_proxy' && (env[name] ?? '').trim() !== '',
		),
	};
}

/** The lowercase spelling when present (empty means "cancelled"), else the uppercase, else any other spelling. */
function pick(env: Environment, lower: string): EnvironmentSetting | undefined {
	const own = env[lower];
	if (own !== undefined) {
		return own.trim() === '' ? undefined : { name: lower, value: own };
	}
	const upper = lower.toUpperCase();
	const names = [upper, ...Object.keys(env).filter((name) => name !== upper && name.toLowerCase() === lower)];
	for (const name of names) {
		const value = env[name];
		if (value !== undefined && value.trim() !== '') {
			return { name, value };
		}
	}
	return undefined;
}
