/**
 * `outbound_proxy_rules` (ours, docs/architecture.md 3.1): per-destination proxies, checked at start-up like the
 * proxy variables. Each rule is `{match: [no_proxy entries], proxy: URL | null, purposes?: [purpose]}`; every
 * problem of every rule is recorded at once, named by its YAML path, passwords shown as `***`.
 */
import type { Problems } from './errors.js';
import { showValue } from './errors.js';
import { collectNoProxy } from './no-proxy.js';
import { collectProxyUrl } from './proxy-url.js';
import { PURPOSES, isPurpose } from './purposes.js';
import type { Purpose, ProxyRule } from './types.js';

/** The keys a rule may have. */
const RULE_KEYS: ReadonlySet<string> = new Set(['match', 'proxy', 'purposes']);
/** Purposes that can never use a proxy, so a rule naming them is a mistake. */
const NEVER_PROXIED: ReadonlySet<Purpose> = new Set(['replication']);

/** Parses the list (already known to be an array, or absent); problems are recorded, never thrown. */
export function collectProxyRules(
	value: readonly unknown[] | null | undefined,
	problems: Problems,
): ProxyRule[] {
	const rules: ProxyRule[] = [];
	for (const [index, raw] of (value ?? []).entries()) {
		const rule = collectRule(`outbound_proxy_rules[${index}]`, raw, problems);
		if (rule !== undefined) rules.push(rule);
	}
	return rules;
}

function isMapping(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function collectRule(name: string, raw: unknown, problems: Problems): ProxyRule | undefined {
	if (!isMapping(raw)) {
		problems.add(
			name,
			showValue(raw),
			'must be a mapping with "match" and "proxy" (and optionally "purposes")',
		);
		return undefined;
	}
	const before = problems.size;
	for (const key of Object.keys(raw)) {
		if (!RULE_KEYS.has(key)) {
			problems.add(`${name}.${key}`, '', 'unknown key in a proxy rule; known keys: match, proxy, purposes');
		}
	}
	const match = collectMatch(name, raw['match'], problems);
	const proxy = collectProxy(name, raw, problems);
	const purposes = collectPurposes(name, raw['purposes'], problems);
	if (problems.size > before || match === undefined || proxy === undefined || purposes === undefined) {
		return undefined;
	}
	return { name, match, purposes, proxy };
}

function collectMatch(name: string, value: unknown, problems: Problems): ProxyRule['match'] | undefined {
	const key = `${name}.match`;
	if (value === undefined) {
		problems.add(key, '', 'is required: a list of destinations in the no_proxy syntax');
		return undefined;
	}
	if (!Array.isArray(value) || value.length === 0 || !value.every((item) => typeof item === 'string')) {
		problems.add(key, showValue(value), 'must be a non-empty list of destinations (no_proxy syntax)');
		return undefined;
	}
	const list = collectNoProxy(value, key, problems);
	if (list.entries.length === 0) {
		problems.add(key, showValue(value), 'must name at least one destination');
		return undefined;
	}
	return list;
}

function collectProxy(
	name: string,
	rule: Record<string, unknown>,
	problems: Problems,
): ProxyRule['proxy'] | undefined {
	const key = `${name}.proxy`;
	if (!Object.hasOwn(rule, 'proxy')) {
		problems.add(key, '', 'is required: a proxy URL, or null for a direct connection');
		return undefined;
	}
	const value = rule['proxy'];
	if (value === null) return null;
	if (typeof value !== 'string') {
		problems.add(key, showValue(value), 'must be a proxy URL or null');
		return undefined;
	}
	return collectProxyUrl(value, key, problems);
}

function collectPurposes(
	name: string,
	value: unknown,
	problems: Problems,
): readonly Purpose[] | null | undefined {
	const key = `${name}.purposes`;
	if (value === undefined || value === null) return null;
	if (!Array.isArray(value) || value.length === 0) {
		problems.add(key, showValue(value), 'must be a non-empty list of purposes');
		return undefined;
	}
	const purposes: Purpose[] = [];
	for (const [index, item] of value.entries()) {
		const itemKey = `${key}[${index}]`;
		if (typeof item !== 'string' || !isPurpose(item)) {
			problems.add(itemKey, showValue(item), `unknown purpose; known purposes: ${PURPOSES.join(', ')}`);
		} else if (NEVER_PROXIED.has(item)) {
			problems.add(itemKey, showValue(item), `${item} traffic (worker to worker) is never proxied`);
		} else {
			purposes.push(item);
		}
	}
	return purposes;
}
