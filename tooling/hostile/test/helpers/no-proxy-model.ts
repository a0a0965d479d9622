/**
 * A deliberately simple reference model of docs/architecture.md 3.3 (`no_proxy`), written from the text, not from the code:
 * entries split on commas and white space, case-insensitive; `*` alone matches everything; a domain (with or
 * without a leading `.` or `*.`, trailing dots ignored, Unicode in IDNA form) matches itself and its subdomains at a
 * label boundary; an IP address matches that address compared as an address (IPv4-mapped IPv6 equals IPv4); a CIDR
 * matches IP-literal hosts inside it; any entry may carry `:port` (IPv6 as `[addr]:port`) and then matches only
 * that port. Slow and obvious on purpose.
 */
import { domainToASCII } from 'node:url';

type Address = { readonly v: 4 | 6; readonly n: bigint };

function parseV4(text: string): bigint | undefined {
	const parts = text.split('.');
	if (parts.length !== 4 || !parts.every((part) => /^(0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255))
		return undefined;
	return parts.reduce((sum, part) => sum * 256n + BigInt(part), 0n);
}

function parseV6(text: string): bigint | undefined {
	let body = text;
	let tail: bigint[] = [];
	const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(body);
	if (dotted?.[1] !== undefined) {
		const v4 = parseV4(dotted[1]);
		if (v4 === undefined) return undefined;
		tail = [v4 >> 16n, v4 & 0xffffn];
		body = `${body.slice(0, dotted.index)}:0:0`;
		tail.length = 2;
	}
	const halves = body.split('::');
	if (halves.length > 2) return undefined;
	const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
	const head = groups(halves[0] ?? '');
	const rest = halves.length === 2 ? groups(halves[1] ?? '') : [];
	const missing = 8 - head.length - rest.length;
	if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
	const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
	if (all.length !== 8 || !all.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return undefined;
	let value = all.reduce((sum, group) => (sum << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
	if (tail.length === 2) value = (value & ~0xffffffffn) | (tail[0]! << 16n) | tail[1]!;
	return value;
}

/** Parses an address; IPv4-mapped IPv6 becomes IPv4. */
export function modelAddress(text: string): Address | undefined {
	const v4 = parseV4(text);
	if (v4 !== undefined) return { v: 4, n: v4 };
	const v6 = parseV6(text);
	if (v6 === undefined) return undefined;
	return v6 >> 32n === 0xffffn ? { v: 4, n: v6 & 0xffffffffn } : { v: 6, n: v6 };
}

type Entry =
	| { kind: 'all'; raw: string }
	| { kind: 'domain'; name: string; port: number | undefined; raw: string }
	| { kind: 'ip'; address: Address; port: number | undefined; raw: string }
	| { kind: 'cidr'; address: Address; bits: number; port: number | undefined; raw: string };

function parseEntry(raw: string): Entry {
	const text = raw.toLowerCase();
	if (text === '*') return { kind: 'all', raw };
	let host = text;
	let port: number | undefined;
	const bracket = /^\[(.*)\](?::(\d+))?$/.exec(text);
	if (bracket !== null) {
		host = bracket[1] ?? '';
		port = bracket[2] === undefined ? undefined : Number(bracket[2]);
	} else if (text.split(':').length === 2) {
		[host = '', port] = [text.split(':')[0], Number(text.split(':')[1])];
	}
	if (host.includes('/')) {
		const [network = '', bits = ''] = host.split('/');
		const address = modelAddress(network)!;
		return { kind: 'cidr', address, bits: Number(bits), port, raw };
	}
	const address = modelAddress(host);
	if (address !== undefined) return { kind: 'ip', address, port, raw };
	const name = domainToASCII(host.replace(/^\*\./, '').replace(/^\./, '').replace(/\.+$/, ''));
	return { kind: 'domain', name, port, raw };
}

function inside(address: Address, network: Address, bits: number): boolean {
	if (address.v !== network.v) return false;
	const width = BigInt(address.v === 4 ? 32 : 128);
	const shift = width - BigInt(bits);
	return address.n >> shift === network.n >> shift;
}

/**
 * The raw entries of `value` that exempt `url` from the proxy (empty: it is proxied). The URL's host is taken as
 * WHATWG URL gives it (lower case, punycode), without brackets or trailing dots; its port is the effective one.
 */
export function modelMatches(value: string, url: URL): string[] {
	const entries = value
		.split(/[\s,]+/)
		.filter((raw) => raw !== '')
		.map(parseEntry);
	const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '');
	const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
	const ip = url.hostname.startsWith('[') || /^[\d.]+$/.test(host) ? modelAddress(host) : undefined;
	return entries
		.filter((entry) => {
			if (entry.kind === 'all') return true;
			if (entry.port !== undefined && entry.port !== port) return false;
			if (entry.kind === 'domain')
				return ip === undefined && (host === entry.name || host.endsWith(`.${entry.name}`));
			if (ip === undefined) return false;
			if (entry.kind === 'ip') return ip.v === entry.address.v && ip.n === entry.address.n;
			return inside(ip, entry.address, entry.bits);
		})
		.map((entry) => entry.raw);
}
