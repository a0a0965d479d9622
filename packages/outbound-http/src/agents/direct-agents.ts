import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { IpPolicyMatcher } from '../route/ip-policy-matcher.js';
import { guardedLookup } from './guarded-lookup.js';
import { agentOptions } from './pool-options.js';
import { PooledHttpAgent, PooledHttpsAgent } from './pooled-agents.js';
import type { PoolOptions } from './pool-options.js';

/** The agents of direct connections for one IP policy. */
export interface DirectAgents {
	readonly http: HttpAgent;
	readonly https: HttpsAgent;
}

/**
 * Keep-alive agents for direct connections whose `lookup` enforces the IP policy on every resolved address (agent
 * options win over request options in Node, so a caller's `dnsLookup` cannot bypass it). IP-literal hosts skip DNS
 * and are checked by the router instead. Destination TLS settings come with each request, so one agent serves
 * every TLS profile (Node keys its pools by them).
 */
export function createDirectAgents(
	policy: IpPolicyMatcher | null,
	lookup: LookupFunction | undefined,
	pool: PoolOptions,
): DirectAgents {
	const effective = policy === null ? lookup : guardedLookup(policy, lookup);
	const options = effective === undefined ? agentOptions(pool) : { ...agentOptions(pool), lookup: effective };
	return { http: new PooledHttpAgent(options), https: new PooledHttpsAgent(options) };
}
