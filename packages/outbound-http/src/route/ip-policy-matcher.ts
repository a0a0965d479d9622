import { PrefixTable, formatIp, parseIp } from '@homeserver/config';
import type { IpAddress, IpPolicy, IpRange } from '@homeserver/config';
import type { IpBlock } from '../errors/request-errors.js';

/** Checks one address against an IP policy: the blocking range and keys, or undefined when allowed. */
export type IpPolicyMatcher = (address: IpAddress) => IpBlock | undefined;

/** The ranges in a prefix table. Config hands them over in numeric form: nothing here can fail or be skipped. */
function compileRanges(ranges: readonly IpRange[]): PrefixTable<IpRange> {
	const table = new PrefixTable<IpRange>();
	for (const range of ranges) table.upsert(range.cidr.network, range.cidr.prefix, () => range);
	return table;
}

const policyCache = new WeakMap<IpPolicy, IpPolicyMatcher>();
const rangeOf = (range: IpRange): IpRange => range;
const found = (): true => true;

/**
 * Compiles an IP policy (docs/architecture.md 3.5) into two prefix tables: the allowlist wins, otherwise the
 * longest matching blocklist range refuses. Addresses come folded (IPv4-mapped IPv6 as IPv4) and so do the
 * ranges, with the derived IPv6 forms of IPv4 ranges (compatible, 6to4, NAT64). Compiled once per policy object.
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
			range: String(range.cidr),
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
