import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import { isValidAceLabel } from '@homeserver/config';
import { ServerNameError } from './errors.js';

/** Longest input looked at; anything longer is refused before any parsing (a DNS name has at most 255). */
const MAX_INPUT_LENGTH = 300;
/** ASCII characters a DNS name may carry before IDNA mapping; non-ASCII goes to IDNA. */
const DNS_INPUT = /^(?:[A-Za-z0-9.-]|[^\x00-\x7f])+$/;
const DNS_LABEL = /^[a-z0-9-]{1,63}$/;
/** A final label that WHATWG URL parsing (and so `domainToASCII`) would read as an IPv4 number. */
const NUMERIC_LABEL = /^(?:\d+|0x[0-9a-f]*)$/i;
const STRICT_IPV4 = /^(?:0|[1-9]\d{0,2})(?:\.(?:0|[1-9]\d{0,2})){3}$/;
const IPV6_CHARS = /^[0-9A-Fa-f:.]{2,45}$/;

/** A server name split into its parts (appendices, "Server Name"). */
export interface ServerName {
	/** IPv4 dotted quad, IPv6 without brackets (lower case), or a DNS name in IDNA ASCII lower case. */
	readonly host: string;
	/** The explicit port, or undefined when the name has none. */
	readonly port: number | undefined;
	readonly kind: 'ipv4' | 'ipv6' | 'dns';
}

/**
 * Parses a server name with the spec's grammar `hostname [":" port]`, where hostname is an IPv4 dotted quad, an
 * IPv6 address in brackets, or a DNS name, and port is 1-5 digits. Unicode names are mapped to their IDNA ASCII
 * form with `node:url`'s `domainToASCII`.
 *
 * Refused with {@link ServerNameError}: empty names, anything with a path, query, userinfo, percent-escape or
 * white space, empty DNS labels (`a..b`, a trailing dot), labels over 63 or names over 255 characters, IPv4 with
 * leading zeros or out-of-range parts, names WHATWG would reinterpret as IPv4 numbers (`0x7f.1`, `1.2.3`),
 * unbracketed or zone-scoped IPv6, and ports outside 1-65535.
 */
export function parseServerName(input: string): ServerName {
	if (typeof input !== 'string' || input.length === 0) {
		throw new ServerNameError(input, 'empty');
	}
	if (input.length > MAX_INPUT_LENGTH) {
		throw new ServerNameError(input, `longer than ${MAX_INPUT_LENGTH} characters`);
	}
	if (input.startsWith('[')) {
		const close = input.indexOf(']');
		if (close < 0) {
			throw new ServerNameError(input, 'IPv6 address without closing bracket');
		}
		const address = input.slice(1, close);
		if (!IPV6_CHARS.test(address) || !isIPv6(address)) {
			throw new ServerNameError(input, 'not a valid IPv6 address');
		}
		return { host: address.toLowerCase(), port: parsePort(input, input.slice(close + 1)), kind: 'ipv6' };
	}
	const colon = input.lastIndexOf(':');
	const hostname = colon < 0 ? input : input.slice(0, colon);
	const port = colon < 0 ? undefined : parsePort(input, input.slice(colon));
	if (hostname.includes(':')) {
		throw new ServerNameError(input, 'IPv6 addresses must be in brackets');
	}
	if (STRICT_IPV4.test(hostname)) {
		if (!isIPv4(hostname)) {
			throw new ServerNameError(input, 'not a valid IPv4 address');
		}
		return { host: hostname, port, kind: 'ipv4' };
	}
	return { host: parseDnsName(input, hostname), port, kind: 'dns' };
}

/**
 * The server name in its normal form: IDNA ASCII lower-case host, IPv6 in brackets, `:port` only when the name
 * had one. This is the value for the `Host` header.
 */
export function formatServerName(name: ServerName): string {
	const host = name.kind === 'ipv6' ? `[${name.host}]` : name.host;
	return name.port === undefined ? host : `${host}:${name.port}`;
}

/** `host:port` for a connection target, with an IPv6 host in brackets (config's helper). */
export { formatHostPort } from '@homeserver/config';

function parsePort(input: string, rest: string): number | undefined {
	if (rest === '') {
		return undefined;
	}
	if (!/^:\d{1,5}$/.test(rest)) {
		throw new ServerNameError(input, 'port must be 1-5 digits after the host');
	}
	const port = Number(rest.slice(1));
	if (port < 1 || port > 65535) {
		throw new ServerNameError(input, 'port must be between 1 and 65535');
	}
	return port;
}

function parseDnsName(input: string, hostname: string): string {
	if (hostname === '') {
		throw new ServerNameError(input, 'empty host');
	}
	if (!DNS_INPUT.test(hostname)) {
		throw new ServerNameError(input, 'a DNS name may only contain letters, digits, "-" and "."');
	}
	const ascii = domainToASCII(hostname);
	if (ascii === '') {
		throw new ServerNameError(input, 'not a valid internationalised domain name');
	}
	if (ascii.length > 255) {
		throw new ServerNameError(input, 'DNS name longer than 255 characters');
	}
	const labels = ascii.split('.');
	if (!labels.every((label) => DNS_LABEL.test(label))) {
		throw new ServerNameError(input, 'DNS labels must be 1-63 letters, digits or "-" (no empty label)');
	}
	if (!labels.every(isValidAceLabel)) {
		throw new ServerNameError(input, 'not a valid internationalised domain name (bad punycode label)');
	}
	const last = labels.at(-1) ?? '';
	if (NUMERIC_LABEL.test(last) || NUMERIC_LABEL.test(hostname.split('.').at(-1) ?? '')) {
		throw new ServerNameError(input, 'a numeric last label is only allowed in a dotted-quad IPv4 address');
	}
	return ascii;
}
