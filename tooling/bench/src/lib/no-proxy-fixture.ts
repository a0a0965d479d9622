/**
 * A synthetic `no_proxy` list of a given size (half domains, half CIDR ranges split between IPv4 and IPv6)
 * and a shuffled mix of destination URLs with the decision each one should get: subdomains of listed
 * domains and addresses inside listed ranges go direct, unlisted public names and addresses go through the
 * proxy, and private or loopback literals are refused by the default blocklist.
 */
import { SeededRandom } from './random.js';

/** The kinds of destination in the mix, with their share of it. */
export const urlKinds = {
	'domain hit': 0.25,
	'domain miss': 0.15,
	'IPv4 hit': 0.15,
	'IPv4 miss': 0.1,
	'IPv6 hit': 0.1,
	'IPv6 miss': 0.1,
	blocked: 0.15,
} as const;

/** One kind of destination. */
export type UrlKind = keyof typeof urlKinds;

/** The route a correct router gives each kind (purpose `push`, default blocklist). */
export const expectedRoute: Readonly<Record<UrlKind, 'proxy' | 'direct' | 'blocked'>> = {
	'domain hit': 'direct',
	'domain miss': 'proxy',
	'IPv4 hit': 'direct',
	'IPv4 miss': 'proxy',
	'IPv6 hit': 'direct',
	'IPv6 miss': 'proxy',
	blocked: 'blocked',
};

/** A list and its URL mix. */
export interface NoProxyFixture {
	/** Bare domains (`s1.z1.example.net`): each covers the domain and its subdomains. */
	readonly domains: readonly string[];
	/** CIDR ranges in text form, IPv4 and IPv6. */
	readonly cidrs: readonly string[];
	/** Pre-parsed destination URLs, shuffled. */
	readonly urls: readonly URL[];
	/** The kind of each URL, same index. */
	readonly kinds: readonly UrlKind[];
}

const hex = (r: SeededRandom): string => r.int(0, 0xffff).toString(16);

function v4Network(r: SeededRandom): { base: number; prefix: number } {
	// First octets 20..90: public unicast, outside every default blocklist range.
	const prefix = r.pick([16, 20, 24, 28]);
	const address =
		((r.int(20, 90) << 24) | (r.int(0, 255) << 16) | (r.int(0, 255) << 8) | r.int(0, 255)) >>> 0;
	const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
	return { base: (address & mask) >>> 0, prefix };
}

const v4Text = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/**
 * Builds a fixture: `size` entries and `urlCount` URLs, deterministic for a given seed.
 */
export function makeNoProxyFixture(size: number, urlCount: number, seed = 8): NoProxyFixture {
	const r = new SeededRandom(seed);
	const domainCount = Math.floor(size / 2);
	const v4Count = Math.floor((size - domainCount) / 2);
	const v6Count = size - domainCount - v4Count;
	const domains = Array.from({ length: domainCount }, (_, i) => `s${i}.z${i % 997}.example.net`);
	const v4 = Array.from({ length: v4Count }, () => v4Network(r));
	// IPv6 ranges under 2a00::/12 (global unicast); misses are drawn from 2c00::/12.
	const v6 = Array.from({ length: v6Count }, () => ({
		groups: [`2a0${r.int(0, 15).toString(16)}`, hex(r), hex(r), hex(r)],
		prefix: r.pick([32, 48, 64]),
	}));
	const cidrs = [
		...v4.map((n) => `${v4Text(n.base)}/${n.prefix}`),
		...v6.map((n) => `${n.groups.slice(0, n.prefix / 16).join(':')}::/${n.prefix}`),
	];
	const make: Record<UrlKind, (i: number) => string> = {
		'domain hit': () => `https://api.${r.pick(domains)}/_matrix/push/v1/notify`,
		'domain miss': (i) => `https://www${i}.elsewhere${i % 13}.example.com/path`,
		'IPv4 hit': () => {
			const n = r.pick(v4);
			return `https://${v4Text((n.base + r.int(1, 2 ** (32 - n.prefix) - 2)) >>> 0)}/path`;
		},
		'IPv4 miss': () => `https://${r.int(130, 168)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}/path`,
		'IPv6 hit': () => {
			const n = r.pick(v6);
			const tail = Array.from({ length: 8 - n.prefix / 16 }, () => hex(r));
			return `https://[${[...n.groups.slice(0, n.prefix / 16), ...tail].join(':')}]/path`;
		},
		'IPv6 miss': () => `https://[2c0${r.int(0, 15).toString(16)}:${hex(r)}::${hex(r)}]/path`,
		blocked: () =>
			r.pick([
				`https://10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}/`,
				`https://192.168.${r.int(0, 255)}.${r.int(1, 254)}/`,
				'https://127.0.0.1/',
				`https://[fd00::${hex(r)}]/`,
				'https://[::1]/',
			]),
	};
	const kinds: UrlKind[] = [];
	for (const [kind, share] of Object.entries(urlKinds) as [UrlKind, number][]) {
		for (let i = 0; i < Math.round(share * urlCount); i++) kinds.push(kind);
	}
	r.shuffle(kinds);
	const urls = kinds.map((kind, i) => new URL(make[kind](i)));
	return { domains, cidrs, urls, kinds };
}
