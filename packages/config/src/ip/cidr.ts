/**
 * CIDR ranges in the one numeric form every matcher uses (docs/architecture.md 3.3, 3.5): network address with the
 * host bits cleared and a prefix length. Written ranges are validated by `ip-cidr` (the design's CIDR library) and
 * by our own parser; both must accept a range, so a range the matchers could not use is refused at start-up.
 */
import IPCIDR from 'ip-cidr';
import { formatIp, mappedIpv4, parseIpExact } from './ip-address.js';
import type { IpAddress } from './ip-address.js';

const PREFIX = /^\d{1,3}$/;

/** The IPv4-mapped space `::ffff:0:0/96`: 96 bits of network. */
const MAPPED_NETWORK = 0xffffn << 32n;

/**
 * One CIDR range: `network` with the host bits cleared, and `prefix` (0-32 for IPv4, 0-128 for IPv6). Immutable;
 * `String(cidr)` and `JSON.stringify(cidr)` give the canonical text (`10.0.0.0/8`, `fe80::/10`).
 */
export class IpCidr {
	readonly network: IpAddress;
	readonly prefix: number;

	/** `network`'s host bits must already be clear and `prefix` in range: use {@link parseCidr} or {@link cidrOf}. */
	private constructor(network: IpAddress, prefix: number) {
		this.network = network;
		this.prefix = prefix;
	}

	/** The range of `address/prefix` with the host bits of `address` cleared; prefix clamped to the family. */
	static of(address: IpAddress, prefix: number): IpCidr {
		if (address.family === 4) {
			const length = Math.min(Math.max(prefix, 0), 32);
			const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
			return new IpCidr({ family: 4, value: (address.value & mask) >>> 0 }, length);
		}
		const length = Math.min(Math.max(prefix, 0), 128);
		const hostBits = BigInt(128 - length);
		return new IpCidr({ family: 6, value: (address.value >> hostBits) << hostBits }, length);
	}

	get family(): 4 | 6 {
		return this.network.family;
	}

	/** Whether `address` (as {@link parseIp} gives it) is in this range. */
	contains(address: IpAddress): boolean {
		if (address.family !== this.network.family) return false;
		return IpCidr.of(address, this.prefix).network.value === this.network.value;
	}

	toString(): string {
		return `${formatIp(this.network)}/${this.prefix}`;
	}

	toJSON(): string {
		return this.toString();
	}
}

/** The single-address range of `address` (/32 or /128). */
export function cidrOf(address: IpAddress): IpCidr {
	return IpCidr.of(address, address.family === 4 ? 32 : 128);
}

/**
 * Parses `address/prefix` (IPv4 or IPv6, IPv6 optionally in brackets; a bare address is a single-address range)
 * as written, host bits cleared, IPv4-mapped ranges not folded (see {@link matchingCidrs}). Returns a reason
 * string when the text is not a valid range.
 */
export function parseCidr(text: string): IpCidr | string {
	const slash = text.indexOf('/');
	const addressText = slash === -1 ? text : text.slice(0, slash);
	const prefixText = slash === -1 ? undefined : text.slice(slash + 1);
	const address = parseIpExact(addressText);
	if (address === undefined) {
		return 'not an IP address or CIDR range';
	}
	const max = address.family === 4 ? 32 : 128;
	if (prefixText !== undefined && !PREFIX.test(prefixText)) {
		return 'the prefix length after "/" must be a number';
	}
	const prefix = prefixText === undefined ? max : Number(prefixText);
	if (prefix > max) {
		return `prefix /${prefix} is too long for an IPv${address.family} address (at most /${max})`;
	}
	const bare = addressText.startsWith('[') ? addressText.slice(1, -1) : addressText;
	if (!IPCIDR.isValidCIDR(`${bare}/${prefix}`)) {
		return 'not a valid CIDR range';
	}
	return IpCidr.of(address, prefix);
}

/**
 * The range `cidr` is once IPv4-mapped addresses are compared as IPv4 (the fold of {@link mappedIpv4}, applied to
 * ranges): a range inside `::ffff:0:0/96` becomes that IPv4 range (`::ffff:10.0.0.0/104` is `10.0.0.0/8`); any
 * other range is itself.
 */
export function foldMappedCidr(cidr: IpCidr): IpCidr {
	const { network, prefix } = cidr;
	if (network.family === 4 || prefix < 96) return cidr;
	const v4 = mappedIpv4(network.value);
	return v4 === undefined ? cidr : IpCidr.of({ family: 4, value: v4 }, prefix - 96);
}

/**
 * The ranges a block- or allowlist entry covers: {@link foldMappedCidr}, and for an IPv6 range that contains the
 * whole mapped space (`::/0`, `::/80`) also every IPv4 address (`0.0.0.0/0`), which the mapped addresses it
 * contains are compared as. The first result is the range itself whenever it is kept. (`no_proxy` keeps its
 * documented meaning instead: an IPv6 range there matches IPv6 literals, see docs/architecture.md 3.3.)
 */
export function matchingCidrs(cidr: IpCidr): IpCidr[] {
	const folded = foldMappedCidr(cidr);
	if (folded !== cidr) return [folded];
	const { network, prefix } = cidr;
	if (network.family === 4) return [cidr];
	const hostBits = BigInt(128 - prefix);
	if (prefix <= 96 && MAPPED_NETWORK >> hostBits === network.value >> hostBits) {
		return [cidr, IpCidr.of({ family: 4, value: 0 }, 0)];
	}
	return [cidr];
}
