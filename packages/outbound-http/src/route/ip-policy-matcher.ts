import type { IpPolicy, IpRange } from '@homeserver/config';
import type { IpBlock } from '../errors/request-errors.js';
import { formatIp, parseIp } from '../ip/ip-address.js';
import type { IpAddress } from '../ip/ip-address.js';
import { PrefixTable } from '../ip/prefix-table.js';

/** Checks one address against an IP policy: the blocking range and keys, or undefined when allowed. */
export type IpPolicyMatcher = (address: IpAddress) => IpBlock | undefined;

function compileRanges(ranges: readonly IpRange[]): PrefixTable<IpRange> {
	const table = new PrefixTable<IpRange>();
	for (const range of ranges) {
		const network = parseIp(range.network);
		if (network === undefined) continue; // validated by the config loader
		const prefix = range.family === 6 && network.family === 4 ? Math.max(range.prefix - 96, 0) : range.prefix;
		table.upsert(network, prefix, () => range);
	}
	return table;
}

const policyCache = new WeakMap<IpPolicy, IpPolicyMatcher>();
const rangeOf = (range: IpRange): IpRange => range;
const found = (): true => true;

/**
 * Compiles an IP policy (DESIGN.md 3.5) into two prefix tables: the allowlist wins, otherwise the longest matching
 * blocklist range refuses. IPv4-mapped IPv6 addresses are compared as IPv4; the derived IPv6 forms of IPv4 ranges
 * (compatible, 6to4, NAT64) come with the policy. Compiled once per policy object.
 */
export function compileIpPolicy(policy: IpPolicy): IpPolicyMatcher {
	const cached = policyCache.get(policy);
	if (cached !== undefined) return cached;
	const blocked = compileRanges(policy.blocklist);
	const allowed = compileRanges(policy.allowlist);
	const matcher: IpPolicyMatcher = (address) => {
		if (blocked.size === 0) return undefined;
		const range = blocked.find(address, rangeOf);
		if (range === undefined || allowed.find(address, found) === true) return undefined;
		return {
			address: formatIp(address),
			range: `${range.network}/${range.prefix}`,
			derivedFrom: range.derivedFrom,
			key: policy.blocklistKey,
			allowlistKey: policy.allowlistKey,
		};
	};
	policyCache.set(policy, matcher);
	return matcher;
}

/** Checks address text (as a resolver returns it); unparsable input is refused (fail closed). */
export function checkAddressText(matcher: IpPolicyMatcher, text: string): IpBlock | 'invalid' | undefined {
	const address = parseIp(text);
	return address === undefined ? 'invalid' : matcher(address);
}
