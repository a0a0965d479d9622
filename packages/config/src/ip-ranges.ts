/**
 * IP ranges of the SSRF block- and allowlists (DESIGN.md 3.5), parsed once at start-up. Every IPv4 range also
 * yields the IPv6 forms that reach the same host: IPv4-mapped, IPv4-compatible, 6to4 and NAT64.
 */
import { Problems, showValue } from './errors.js';
import { canonicalCidr, formatIpv6, ipv4Octets } from './ip-address.js';
import type { IpRange } from './types.js';

/** Synapse's default `ip_range_blacklist` (`synapse/config/server.py`, `DEFAULT_IP_RANGE_BLOCKLIST`). */
export const DEFAULT_IP_RANGE_BLOCKLIST: readonly string[] = Object.freeze([
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

/** Addresses added to every blocklist whatever the operator writes, as Synapse does. */
export const ALWAYS_BLOCKED: readonly string[] = Object.freeze(['0.0.0.0', '::']);

/**
 * Parses block- or allowlist entries (`10.0.0.0/8`, `fe80::/10`, a bare address) into ranges, host bits
 * cleared, with the derived IPv6 forms of each IPv4 range. Throws a {@link ConfigError} naming `key`, the entry
 * and the reason for every invalid entry.
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
		const range = canonicalCidr(raw, false);
		if (typeof range === 'string') {
			problems.add(`${key}[${index}]`, showValue(value), `invalid IP range: ${range}`);
			continue;
		}
		ranges.push({ ...range, raw, derivedFrom: undefined });
		if (range.family === 4) {
			ranges.push(...derivedForms(range.network, range.prefix, raw));
		}
	}
	return ranges;
}

/** The IPv6 ranges that carry the IPv4 range `network/prefix`: mapped, compatible, 6to4 and NAT64. */
function derivedForms(network: string, prefix: number, raw: string): IpRange[] {
	const [a = 0, b = 0, c = 0, d = 0] = ipv4Octets(network);
	const high = (a << 8) | b;
	const low = (c << 8) | d;
	const derivedFrom = `${network}/${prefix}`;
	const forms: [number[], number][] = [
		[[0, 0, 0, 0, 0, 0xffff, high, low], 96 + prefix],
		[[0, 0, 0, 0, 0, 0, high, low], 96 + prefix],
		[[0x2002, high, low, 0, 0, 0, 0, 0], 16 + prefix],
		[[0x64, 0xff9b, 0, 0, 0, 0, high, low], 96 + prefix],
	];
	return forms.map(([groups, length]) => ({
		network: formatIpv6(groups),
		prefix: length,
		family: 6,
		raw,
		derivedFrom,
	}));
}
