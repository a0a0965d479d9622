/**
 * The one IP address parser of the workspace (docs/architecture.md 3.3, 3.5): configuration, routing, `no_proxy`
 * and the IP policy all use this numeric form. Strict text forms only (dotted quad without leading zeros, RFC 4291
 * IPv6 without zone id); the WHATWG URL parser has already normalised other spellings of URL hosts.
 */

/**
 * A parsed IP address as a number (IPv4, 32 bits) or a bigint (IPv6, 128 bits), so that range checks are plain
 * integer arithmetic.
 */
export type IpAddress =
	{ readonly family: 4; readonly value: number } | { readonly family: 6; readonly value: bigint };

const MAPPED_PREFIX = 0xffffn;

/**
 * The IPv4 address carried by an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), or undefined for any other IPv6
 * address. The one place the mapped fold is written: such an address reaches the same host as the IPv4 one, so
 * it is matched as IPv4 everywhere (addresses by {@link parseIp}, ranges by `foldMappedCidr`).
 */
export function mappedIpv4(value: bigint): number | undefined {
	return value >> 32n === MAPPED_PREFIX ? Number(value & 0xffffffffn) : undefined;
}

/** Parses a dotted-quad IPv4 address (exactly four decimal parts, 0-255, no leading zeros); undefined otherwise. */
export function parseIpv4(text: string): number | undefined {
	let value = 0;
	let part = -1;
	let digits = 0;
	let parts = 0;
	for (let index = 0; index <= text.length; index++) {
		const code = index < text.length ? text.charCodeAt(index) : 46; // '.' terminates the last part
		if (code === 46) {
			if (part < 0 || parts === 4) return undefined;
			value = value * 256 + part;
			parts++;
			part = -1;
			digits = 0;
		} else if (code >= 48 && code <= 57) {
			if (digits > 0 && part === 0) return undefined; // leading zero
			part = (part < 0 ? 0 : part) * 10 + (code - 48);
			digits++;
			if (part > 255) return undefined;
		} else {
			return undefined;
		}
	}
	return parts === 4 ? value : undefined;
}

function hexDigit(code: number): number {
	if (code >= 48 && code <= 57) return code - 48;
	if (code >= 97 && code <= 102) return code - 87;
	if (code >= 65 && code <= 70) return code - 55;
	return -1;
}

/**
 * Parses an IPv6 address without brackets (`::`, embedded IPv4 tail allowed). Zone ids (`fe80::1%eth0`) are refused:
 * they name an interface of this host, which has no meaning in a routing or blocking decision. One pass over the
 * characters, no intermediate strings (it runs for every IPv6-literal request).
 */
export function parseIpv6(text: string): bigint | undefined {
	const length = text.length;
	if (length < 2 || length > 45) return undefined;
	const groups = [0, 0, 0, 0, 0, 0, 0, 0];
	let count = 0;
	let gap = -1;
	let index = 0;
	if (text.charCodeAt(0) === 58) {
		if (text.charCodeAt(1) !== 58) return undefined;
		gap = 0;
		index = 2;
	}
	while (index < length) {
		if (count === 8) return undefined;
		const start = index;
		let value = 0;
		let digit: number;
		while (index < length && index - start < 4 && (digit = hexDigit(text.charCodeAt(index))) >= 0) {
			value = value * 16 + digit;
			index++;
		}
		if (index === start) return undefined;
		const next = index < length ? text.charCodeAt(index) : -1;
		if (next === 46) {
			// An IPv4 tail takes the last two groups.
			const v4 = count <= 6 ? parseIpv4(text.slice(start)) : undefined;
			if (v4 === undefined) return undefined;
			groups[count++] = Math.floor(v4 / 65536);
			groups[count++] = v4 % 65536;
			index = length;
			break;
		}
		groups[count++] = value;
		if (next === -1) break;
		if (next !== 58) return undefined;
		index++;
		if (index < length && text.charCodeAt(index) === 58) {
			if (gap !== -1) return undefined;
			gap = count;
			index++;
		} else if (index === length) {
			return undefined; // a trailing single ':'
		}
	}
	if (gap === -1 ? count !== 8 : count > 7) return undefined;
	let result = 0n;
	const missing = 8 - count;
	for (let group = 0, source = 0; group < 8; group++) {
		const word = gap !== -1 && group >= gap && group < gap + missing ? 0 : (groups[source++] as number);
		result = (result << 16n) | BigInt(word);
	}
	return result;
}

/**
 * Parses an IPv4 or IPv6 address (IPv6 with or without brackets), folding IPv4-mapped IPv6 to IPv4 (see
 * {@link mappedIpv4}): the form every matcher compares.
 */
export function parseIp(text: string): IpAddress | undefined {
	const address = parseIpExact(text);
	if (address === undefined || address.family === 4) return address;
	const v4 = mappedIpv4(address.value);
	return v4 === undefined ? address : { family: 4, value: v4 };
}

/**
 * Parses an IPv4 or IPv6 address (IPv6 with or without brackets) as written, without folding IPv4-mapped IPv6:
 * for settings whose text form matters (a bind address, a proxy host), not for matching.
 */
export function parseIpExact(text: string): IpAddress | undefined {
	const v4 = parseIpv4(text);
	if (v4 !== undefined) return { family: 4, value: v4 };
	const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
	const v6 = parseIpv6(bare);
	return v6 === undefined ? undefined : { family: 6, value: v6 };
}

/** The canonical text of an address: dotted quad, or compressed lower-case IPv6 (RFC 5952). */
export function formatIp(address: IpAddress): string {
	if (address.family === 4) {
		const v = address.value;
		return `${Math.floor(v / 16777216)}.${Math.floor(v / 65536) % 256}.${Math.floor(v / 256) % 256}.${v % 256}`;
	}
	const groups: number[] = [];
	for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((address.value >> shift) & 0xffffn));
	let bestStart = -1;
	let bestLength = 1;
	for (let start = 0; start < 8;) {
		if (groups[start] !== 0) {
			start++;
			continue;
		}
		let end = start;
		while (end < 8 && groups[end] === 0) end++;
		if (end - start > bestLength) {
			bestStart = start;
			bestLength = end - start;
		}
		start = end;
	}
	const hex = groups.map((group) => group.toString(16));
	if (bestStart === -1) return hex.join(':');
	return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
