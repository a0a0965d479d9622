import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { IpPolicyMatcher } from '../route/ip-policy-matcher.js';
import { guardedLookup } from './guarded-lookup.js';
import { agentOptions } from './pool-options.js';
import { PooledHttpAgent, PooledHttpsAgent } from './pooled-agents.js';
import type { PoolOptions } from './pool-options.js';
import type { TlsProfile } from './tls-profile.js';

function directOptions(
	policy: IpPolicyMatcher | null,
	lookup: LookupFunction | undefined,
	pool: PoolOptions,
): ReturnType<typeof agentOptions> & { lookup?: LookupFunction } {
	const effective = policy === null ? lookup : guardedLookup(policy, lookup);
	return effective === undefined ? agentOptions(pool) : { ...agentOptions(pool), lookup: effective };
}

/**
 * A keep-alive agent for direct plain-http connections whose `lookup` enforces the IP policy on every resolved
 * address (agent options win over request options in Node, so a caller's `dnsLookup` cannot bypass it). IP-literal
 * hosts skip DNS and are checked by the router instead. No TLS, so one serves every TLS profile of the policy.
 */
export function createDirectHttpAgent(
	policy: IpPolicyMatcher | null,
	lookup: LookupFunction | undefined,
	pool: PoolOptions,
): HttpAgent {
	return new PooledHttpAgent(directOptions(policy, lookup, pool));
}

/**
 * The https counterpart of {@link createDirectHttpAgent}, trusting what `tls` trusts: one per IP policy and TLS
 * profile, so pools never mix trust.
 */
export function createDirectHttpsAgent(
	policy: IpPolicyMatcher | null,
	lookup: LookupFunction | undefined,
	pool: PoolOptions,
	tls: TlsProfile,
): HttpsAgent {
	return new PooledHttpsAgent(directOptions(policy, lookup, pool), tls);
}
