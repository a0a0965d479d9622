/**
 * The effective proxy settings (docs/architecture.md 3.1): YAML keys over the environment, the no-fallback rule for
 * https, and the start-up warnings about proxies that will not be used the way an operator may expect.
 */
import { readProxyEnvironment } from './environment.js';
import { Problems } from './errors.js';
import { collectNoProxy } from './no-proxy.js';
import { collectProxyRules } from './proxy-rules.js';
import { collectProxyUrl } from './proxy-url.js';
import type { Environment, NoProxyList, ProxyConfig, ProxyEndpoint } from './types.js';

/** The YAML side of the proxy settings; `present` tells a key written as null from an absent key. */
export interface YamlProxySettings {
	readonly httpProxy: { readonly present: boolean; readonly value: string | null | undefined };
	readonly httpsProxy: { readonly present: boolean; readonly value: string | null | undefined };
	/** `no_proxy_hosts`: a list wins (even `[]`); absent or null falls back to the environment. */
	readonly noProxyHosts: readonly string[] | null | undefined;
	/** `outbound_proxy_rules` as written (a list, each rule checked here). */
	readonly rules?: readonly unknown[] | null | undefined;
}

/** No `no_proxy` at all. */
const NO_BYPASS: NoProxyList = { entries: [], matchAll: false, matchLocal: false, source: 'none' };

/**
 * A machine-wide `NO_PROXY` is written for many tools: an entry we cannot use must not stop the workers. It is
 * skipped (its destinations then go through the proxy, the safe side) and named in one warning.
 */
function lenientNoProxy(value: string, source: string, warnings: string[]): NoProxyList {
	const skipped = new Problems();
	const list = collectNoProxy(value, source, skipped);
	if (skipped.size > 0) {
		const entries = skipped.list.map((problem) => `${problem.value} (${problem.reason})`).join(', ');
		warnings.push(
			`${source}: ${skipped.size === 1 ? 'an entry' : `${skipped.size} entries`} skipped, so those ` +
				`destinations go through the proxy: ${entries}`,
		);
	}
	return list;
}

/** Resolves the proxy settings; problems and warnings are recorded, never thrown. */
export function buildProxyConfig(
	yaml: YamlProxySettings,
	env: Environment,
	problems: Problems,
	warnings: string[],
): ProxyConfig {
	const fromEnv = readProxyEnvironment(env);
	const endpoint = (
		key: 'http_proxy' | 'https_proxy',
		setting: YamlProxySettings['httpProxy'],
		envSetting: typeof fromEnv.http,
	): ProxyEndpoint | null => {
		if (setting.present) {
			const value = setting.value;
			if (value === null || value === undefined || value.trim() === '') {
				return null;
			}
			return collectProxyUrl(value, `${key} (homeserver.yaml)`, problems) ?? null;
		}
		if (envSetting === undefined) {
			return null;
		}
		return collectProxyUrl(envSetting.value, `${envSetting.name} (environment)`, problems) ?? null;
	};
	const http = endpoint('http_proxy', yaml.httpProxy, fromEnv.http);
	const https = endpoint('https_proxy', yaml.httpsProxy, fromEnv.https);

	let noProxy = NO_BYPASS;
	if (yaml.noProxyHosts !== null && yaml.noProxyHosts !== undefined) {
		noProxy = collectNoProxy(yaml.noProxyHosts, 'no_proxy_hosts (homeserver.yaml)', problems);
	} else if (fromEnv.noProxy !== undefined) {
		noProxy = lenientNoProxy(fromEnv.noProxy.value, `${fromEnv.noProxy.name} (environment)`, warnings);
	}

	if (http !== null && https === null) {
		warnings.push(
			`http_proxy is set (${http.source}) but https_proxy is not: https traffic (federation, most push ` +
				'gateways) goes direct, because https_proxy never falls back to http_proxy. Set https_proxy too.',
		);
	}
	if (fromEnv.ignoredForCgi !== undefined && !yaml.httpProxy.present) {
		warnings.push(
			`${fromEnv.ignoredForCgi} is ignored because REQUEST_METHOD is set (CGI): a web server may set it from ` +
				'a client header. Use the lowercase http_proxy.',
		);
	}
	for (const name of fromEnv.allProxy) {
		warnings.push(
			`${name} is set in the environment but is not used: set http_proxy and https_proxy instead.`,
		);
	}
	const rules = collectProxyRules(yaml.rules, problems);
	return { rules, http, https, noProxy };
}
