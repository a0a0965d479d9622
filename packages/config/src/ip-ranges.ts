/**
 * IP ranges of the SSRF block- and allowlists (docs/architecture.md 3.5), parsed once at start-up into the numeric
 * form the matchers use. Every IPv4 range also yields the IPv6 forms that reach the same host: IPv4-compatible,
 * 6to4 and NAT64 (IPv4-mapped addresses need no range of their own: they are compared as IPv4).
 */
import { Problems, showValue } from './errors.js';
import { IpCidr, matchingCidrs, parseCidr } from './ip/cidr.js';
import type { IpRange } from './types.js';

/** Synapse's default `ip_range_blacklist` (`synapse/config/server.py`, `DEFAULT_IP_RANGE_BLOCKLIST`). */
export const SYNAPSE_IP_RANGE_BLOCKLIST: readonly string[] = Object.freeze([
	'127.0.0.0/8',
	'10.0.0.0/8',
	'172.16.0.0/12',
	'192.168.0.0/16',
	'100.64.0.0/10',
	'192.0.0.0/24',
	'169.254.0.0/16',
	'192.88.99.0/24',
	'198.18.0.0/15',
	'192.0.2.0/24',
	'198.51.100.0/24',
	'203.0.113.0/24',
	'224.0.0.0/4',
	'::1/128',
	'fe80::/10',
	'fc00::/7',
	'2001:db8::/32',
	'ff00::/8',
	'fec0::/10',
]);

/**
 * What the IANA IPv4 and IPv6 special-purpose address registries mark as not globally reachable and Synapse's
 * list misses. Not `::ffff:0:0/96`: IPv4-mapped addresses are judged as the IPv4 addresses they carry.
 */
export const NOT_GLOBALLY_REACHABLE: readonly string[] = Object.freeze([
	'0.0.0.0/8', // "this network" (RFC 791)
	'240.0.0.0/4', // reserved (RFC 1112)
	'255.255.255.255/32', // limited broadcast (RFC 919)
	'::ffff:0:0:0/96', // SIIT IPv4-translated addresses (RFC 2765)
	'64:ff9b:1::/48', // local-use IPv4/IPv6 translation (RFC 8215)
	'100::/64', // discard-only (RFC 6666)
	'100:0:0:1::/64', // dummy IPv6 prefix (RFC 9780)
	'2001::/32', // Teredo (RFC 4380)
	'2001:2::/48', // benchmarking (RFC 5180)
	'2001:10::/28', // deprecated ORCHID (RFC 4843)
	'3fff::/20', // documentation (RFC 9637)
	'5f00::/16', // segment routing SIDs (RFC 9602)
]);

/** The default blocklist: Synapse's, then {@link NOT_GLOBALLY_REACHABLE}. */
export const DEFAULT_IP_RANGE_BLOCKLIST: readonly string[] = Object.freeze([
	...SYNAPSE_IP_RANGE_BLOCKLIST,
	...NOT_GLOBALLY_REACHABLE,
]);

/** Addresses added to every blocklist whatever the operator writes, as Synapse does. */
export const ALWAYS_BLOCKED: readonly string[] = Object.freeze(['0.0.0.0', '::']);

/**
 * Parses block- or allowlist entries (`10.0.0.0/8`, `fe80::/10`, a bare address) into ranges, host bits
 * cleared, with the derived forms of each (see {@link IpRange.derivedFrom}). Throws a {@link ConfigError}
 * naming `key`, the entry and the reason for every invalid entry.
 */
export function parseIpRanges(values: readonly string[], key: string): IpRange[] {
	const problems = new Problems();
	const ranges = collectIpRanges(values, key, problems);
	problems.throwIfAny();
	return ranges;
}

/** Like {@link parseIpRanges}, but records problems instead of throwing (for the loader). */
export function collectIpRanges(values: readonly string[], key: string, problems: Problems): IpRange[] {
	const ranges: IpRange[] = [];
	for (const [index, value] of values.entries()) {
		const raw = value.trim();
		const written = parseCidr(raw);
		if (typeof written === 'string') {
			problems.add(`${key}[${index}]`, showValue(value), `invalid IP range: ${written}`);
			continue;
		}
		for (const cidr of matchingCidrs(written)) {
			ranges.push({ cidr, raw, derivedFrom: cidr === written ? undefined : String(written) });
			if (cidr.family === 4) ranges.push(...derivedForms(cidr, raw));
		}
	}
	return ranges;
}

/** The IPv6 ranges that carry the IPv4 range `cidr`: IPv4-compatible, 6to4 and NAT64. */
function derivedForms(cidr: IpCidr, raw: string): IpRange[] {
	const v4 = BigInt(cidr.network.value);
	const derivedFrom = String(cidr);
	const forms: [bigint, number][] = [
		[v4, 96 + cidr.prefix],
		[(0x2002n << 112n) | (v4 << 80n), 16 + cidr.prefix],
		[(0x64ff9bn << 96n) | v4, 96 + cidr.prefix],
	];
	return forms.map(([value, prefix]) => ({
		cidr: IpCidr.of({ family: 6, value }, prefix),
		raw,
		derivedFrom,
	}));
}
