/**
 * IP address and CIDR text handling: validation and one canonical text form, so that addresses written
 * differently (`::0:1` and `::1`, `[::1]`, `::ffff:10.0.0.1` and `10.0.0.1`) compare equal as strings.
 *
 * The canonical IPv6 form is the WHATWG URL serialisation (RFC 5952 compression, lower case, no embedded
 * dotted quad), which is also what `new URL(...).hostname` gives consumers (without the brackets).
 */
import { isIPv4 } from 'node:net';
import IPCIDR from 'ip-cidr';

/** A parsed IP address in canonical text form. */
export interface CanonicalIp {
	readonly address: string;
	readonly family: 4 | 6;
}

/** A parsed CIDR range, host bits cleared. */
export interface CanonicalCidr {
	readonly network: string;
	readonly prefix: number;
	readonly family: 4 | 6;
}

const IPV6_CHARS = /^[0-9a-f:.]+$/i;
const PREFIX = /^\d{1,3}$/;

/**
 * Parses an IPv4 or IPv6 address (IPv6 with or without brackets; no zone id) into its canonical text form.
 * IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) fold to IPv4 unless `foldMapped` is false, because they reach
 * the same host. Returns undefined for anything that is not an IP address (host names, `127.1`, `010.0.0.1`).
 */
export function canonicalIp(text: string, foldMapped = true): CanonicalIp | undefined {
	let value = text;
	if (value.startsWith('[') && value.endsWith(']')) {
		value = value.slice(1, -1);
	}
	if (isIPv4(value)) {
		return { address: value, family: 4 };
	}
	const parsed = parseIpv6(value);
	if (parsed === undefined) {
		return undefined;
	}
	const { groups, canonical } = parsed;
	if (foldMapped && isMapped(groups)) {
		return { address: ipv4FromGroups(groups[6] ?? 0, groups[7] ?? 0), family: 4 };
	}
	return { address: canonical, family: 6 };
}

/**
 * Parses `address/prefix` (IPv4 or IPv6; a bare address is a single-address range) into a canonical range with
 * the host bits cleared. An IPv4-mapped IPv6 range with prefix >= 96 folds to IPv4 unless `foldMapped` is false.
 * Returns a reason string when the text is not a valid range. Validity is confirmed with `ip-cidr`.
 */
export function canonicalCidr(text: string, foldMapped = true): CanonicalCidr | string {
	const slash = text.indexOf('/');
	const addressText = slash === -1 ? text : text.slice(0, slash);
	const prefixText = slash === -1 ? undefined : text.slice(slash + 1);
	const ip = canonicalIp(addressText, false);
	if (ip === undefined) {
		return 'not an IP address or CIDR range';
	}
	const max = ip.family === 4 ? 32 : 128;
	if (prefixText !== undefined && !PREFIX.test(prefixText)) {
		return 'the prefix length after "/" must be a number';
	}
	const prefix = prefixText === undefined ? max : Number(prefixText);
	if (prefix > max) {
		return `prefix /${prefix} is too long for an IPv${ip.family} address (at most /${max})`;
	}
	let range: CanonicalCidr;
	if (ip.family === 4) {
		range = { network: maskIpv4(ip.address, prefix), prefix, family: 4 };
	} else {
		const groups = maskGroups(parseIpv6Groups(ip.address) ?? [], prefix);
		range =
			foldMapped && prefix >= 96 && isMapped(groups)
				? { network: ipv4FromGroups(groups[6] ?? 0, groups[7] ?? 0), prefix: prefix - 96, family: 4 }
				: { network: formatIpv6(groups), prefix, family: 6 };
	}
	if (!IPCIDR.isValidCIDR(`${range.network}/${range.prefix}`)) {
		return 'not a valid CIDR range';
	}
	return range;
}

/** The four octets of a canonical IPv4 address. */
export function ipv4Octets(address: string): number[] {
	return address.split('.').map(Number);
}

/** Formats eight 16-bit groups as canonical IPv6 text (compressed, lower case). */
export function formatIpv6(groups: readonly number[]): string {
	const full = groups.map((group) => group.toString(16)).join(':');
	return new URL(`http://[${full}]`).hostname.slice(1, -1);
}

/** The eight 16-bit groups of an IPv6 address in any valid text form, or undefined when it is not one. */
export function parseIpv6Groups(text: string): number[] | undefined {
	return parseIpv6(text)?.groups;
}

function parseIpv6(text: string): { groups: number[]; canonical: string } | undefined {
	if (!text.includes(':') || !IPV6_CHARS.test(text)) {
		return undefined;
	}
	let hostname: string;
	try {
		hostname = new URL(`http://[${text}]`).hostname;
	} catch {
		return undefined;
	}
	const canonical = hostname.slice(1, -1);
	const [head = '', tail] = canonical.split('::');
	const headGroups = head === '' ? [] : head.split(':');
	const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
	const zeros = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
	const groups = [...headGroups, ...Array.from({ length: zeros }, () => '0'), ...tailGroups].map((group) =>
		Number.parseInt(group, 16),
	);
	return { groups, canonical };
}

function isMapped(groups: readonly number[]): boolean {
	return groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
}

function ipv4FromGroups(high: number, low: number): string {
	return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

function maskIpv4(address: string, prefix: number): string {
	const value = ipv4Octets(address).reduce((sum, octet) => sum * 256 + octet, 0);
	const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
	const network = (value & mask) >>> 0;
	return [network >>> 24, (network >>> 16) & 0xff, (network >>> 8) & 0xff, network & 0xff].join('.');
}

function maskGroups(groups: readonly number[], prefix: number): number[] {
	return groups.map((group, index) => {
		const bits = Math.min(16, Math.max(0, prefix - index * 16));
		return bits === 16 ? group : bits === 0 ? 0 : group & ((0xffff << (16 - bits)) & 0xffff);
	});
}
