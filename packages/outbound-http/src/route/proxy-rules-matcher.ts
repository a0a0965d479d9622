import type { NoProxyEntry, ProxyEndpoint, ProxyRule, Purpose } from '@homeserver/config';
import { compileNoProxy } from './no-proxy-matcher.js';
import type { NoProxyMatcher } from './no-proxy-matcher.js';
import { hostPort } from './route-target.js';
import type { ParsedTarget } from './route-target.js';

/** A proxy with its `host:port`, computed once rather than per decision. */
export interface ProxyChoice {
	readonly endpoint: ProxyEndpoint;
	readonly connect: string;
}

/** The proxy choice of an endpoint. */
export function proxyChoice(endpoint: ProxyEndpoint): ProxyChoice {
	return { endpoint, connect: hostPort(endpoint.host, endpoint.port) };
}

/** What a matching rule decides: its proxy (null: direct) and the `reason` naming the rule and the entry. */
export interface RuleHit {
	readonly proxy: ProxyChoice | null;
	readonly reason: string;
}

/** The first rule matching a destination, or undefined when none does (then the proxy variables decide). */
export type ProxyRulesMatcher = (target: ParsedTarget) => RuleHit | undefined;

/** Compiled rules by rule, shared between the purposes of one router. */
export type RuleCache = Map<ProxyRule, CompiledRule>;

interface CompiledRule {
	readonly rule: ProxyRule;
	readonly matches: NoProxyMatcher;
	readonly proxy: ProxyChoice | null;
	/** One hit per entry that matched so far, so a decision allocates nothing. */
	readonly hits: Map<NoProxyEntry, RuleHit>;
}

/**
 * Compiles the `outbound_proxy_rules` that apply to one purpose (docs/architecture.md 3.1). Each rule's `match`
 * list is the `no_proxy` syntax, compiled by {@link compileNoProxy} into hash lookups, so a rule with thousands of
 * entries costs what one `no_proxy` list costs; the rules are tried in order (first match wins), so a lookup is
 * O(rules × labels). Returns undefined when no rule applies to the purpose (the router then skips the step).
 * `compiled` shares each rule's matcher and endpoint between the purposes.
 */
export function compileProxyRules(
	rules: readonly ProxyRule[],
	purpose: Purpose,
	compiled: RuleCache = new Map(),
): ProxyRulesMatcher | undefined {
	const applicable: CompiledRule[] = [];
	for (const rule of rules) {
		if (rule.purposes !== null && !rule.purposes.includes(purpose)) continue;
		let entry = compiled.get(rule);
		if (entry === undefined) {
			entry = {
				rule,
				matches: compileNoProxy(rule.match),
				proxy: rule.proxy === null ? null : proxyChoice(rule.proxy),
				hits: new Map(),
			};
			compiled.set(rule, entry);
		}
		applicable.push(entry);
	}
	if (applicable.length === 0) return undefined;
	return (target) => {
		for (const entry of applicable) {
			const matched = entry.matches(target);
			if (matched === undefined) continue;
			let hit = entry.hits.get(matched);
			if (hit === undefined) {
				hit = { proxy: entry.proxy, reason: `${entry.rule.name} entry '${matched.raw}'` };
				entry.hits.set(matched, hit);
			}
			return hit;
		}
		return undefined;
	};
}
