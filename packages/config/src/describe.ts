/**
 * Human and machine views of a loaded configuration for the CLIs, with every credential redacted.
 */
import { PURPOSES } from './purposes.js';
import type { Config } from './types.js';

/**
 * A plain, JSON-ready copy of the configuration with credentials redacted (proxy URLs as `user:***@`, the
 * PostgreSQL password left out). `JSON.stringify(config)` gives the same text.
 */
export function redactConfig(config: Config): unknown {
	return JSON.parse(JSON.stringify(config)) as unknown;
}

/** A short summary for `--help`-style output and start-up logs: proxies (redacted), `no_proxy`, purposes. */
export function describeConfig(config: Config): string {
	const { proxy } = config;
	const endpoint = (value: typeof proxy.http): string =>
		value === null ? 'none' : `${value.redacted} (from ${value.source})`;
	const noProxy =
		proxy.noProxy.entries.length === 0
			? 'none'
			: `${proxy.noProxy.entries.length} entr${proxy.noProxy.entries.length === 1 ? 'y' : 'ies'}` +
				`${proxy.noProxy.matchAll ? ', including "*" (nothing is proxied)' : ''} (from ${proxy.noProxy.source})`;
	const lines = [
		`configuration: ${config.configPath ?? 'built-in defaults'}`,
		`server_name:   ${config.serverName}`,
		`http_proxy:    ${endpoint(proxy.http)}`,
		`https_proxy:   ${endpoint(proxy.https)}`,
		`no_proxy:      ${noProxy}`,
		...proxy.rules.map(
			(rule) =>
				`${rule.name}: ${rule.match.entries.length} destination(s) -> ` +
				`${rule.proxy === null ? 'direct' : rule.proxy.redacted}` +
				(rule.purposes === null ? '' : ` (${rule.purposes.join(', ')})`),
		),
		`federation_domain_whitelist: ${
			config.federationDomainWhitelist === null
				? 'none (every server)'
				: `${config.federationDomainWhitelist.length} server(s)`
		}`,
		'purposes:',
	];
	for (const purpose of PURPOSES) {
		const policy = config.purposes[purpose];
		const proxied = !policy.proxied
			? 'direct'
			: policy.httpsProxyOnly
				? 'proxied (https_proxy only)'
				: 'proxied';
		const ip =
			policy.ipPolicy === null
				? 'no IP policy'
				: `blocklist ${policy.ipPolicy.blocklistKey} (${policy.ipPolicy.blocklist.length} ranges)` +
					(policy.ipPolicy.allowlist.length === 0
						? ''
						: `, allowlist ${policy.ipPolicy.allowlistKey} (${policy.ipPolicy.allowlist.length} ranges)`);
		lines.push(`  ${purpose.padEnd(16)} ${proxied.padEnd(27)} ${ip}; TLS ${policy.tls}`);
	}
	if (config.warnings.length > 0) {
		lines.push('warnings:', ...config.warnings.map((warning) => `  - ${warning}`));
	}
	return lines.join('\n');
}
