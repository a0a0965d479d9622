/**
 * `no_proxy` (docs/architecture.md 3.3): the hosts reached directly, parsed once into structured entries that the
 * router matches without re-parsing (domains at label boundaries, IP addresses and CIDR ranges in the numeric
 * form of `ip/`, `*`, each optionally limited to a port).
 */
import { Problems, showValue } from './errors.js';
import { normaliseHostName } from './host-name.js';
import { cidrOf, foldMappedCidr, parseCidr } from './ip/cidr.js';
import { parseIp, parseIpv4 } from './ip/ip-address.js';
import type { NoProxyEntry, NoProxyList, SettingSource } from './types.js';

const SEPARATORS = /[\s,]+/;
const DIGITS = /^\d+$/;

/**
 * Parses a `no_proxy` value: a string (comma- or whitespace-separated, as in the environment) or a list of
 * such strings (YAML `no_proxy_hosts`). Throws a {@link ConfigError} naming every invalid entry.
 */
export function parseNoProxy(value: string | readonly string[], source: SettingSource): NoProxyList {
	const problems = new Problems();
	const list = collectNoProxy(value, source, problems);
	problems.throwIfAny();
	return list;
}

/** Like {@link parseNoProxy}, but records problems instead of throwing (for the loader). */
export function collectNoProxy(
	value: string | readonly string[],
	source: SettingSource,
	problems: Problems,
): NoProxyList {
	const entries: NoProxyEntry[] = [];
	const items = typeof value === 'string' ? [value] : value;
	for (const [index, item] of items.entries()) {
		const key = typeof value === 'string' ? source : withIndex(source, index);
		for (const raw of item.split(SEPARATORS)) {
			if (raw === '') {
				continue;
			}
			const entry = parseEntry(raw);
			if ('reason' in entry) {
				problems.add(key, showValue(raw), `invalid no_proxy entry: ${entry.reason}`);
			} else {
				entries.push(entry);
			}
		}
	}
	return {
		entries,
		matchAll: entries.some((entry) => entry.kind === 'wildcard'),
		source,
	};
}

/** `no_proxy_hosts (homeserver.yaml)` with index 2 becomes `no_proxy_hosts[2] (homeserver.yaml)`. */
function withIndex(source: string, index: number): string {
	const space = source.indexOf(' ');
	return space === -1 ? `${source}[${index}]` : `${source.slice(0, space)}[${index}]${source.slice(space)}`;
}

function parseEntry(raw: string): NoProxyEntry | { reason: string } {
	const text = raw.toLowerCase();
	if (text === '*') {
		return { kind: 'wildcard', raw };
	}
	if (text.includes('://')) {
		return { reason: 'write the host name alone, not a URL' };
	}
	const split = splitPort(text);
	if ('reason' in split) {
		return split;
	}
	const { host, port } = split;
	if (host.includes('/')) {
		const range = parseCidr(host);
		if (typeof range === 'string') {
			return { reason: range };
		}
		return { kind: 'cidr', cidr: foldMappedCidr(range), port, raw };
	}
	if (host.includes(':') || parseIpv4(host) !== undefined) {
		const ip = parseIp(host);
		if (ip === undefined) {
			return { reason: 'not a valid IP address' };
		}
		return { kind: 'ip', cidr: cidrOf(ip), port, raw };
	}
	const domain = host.startsWith('*.') ? host.slice(2) : host.startsWith('.') ? host.slice(1) : host;
	if (domain.includes('*')) {
		return { reason: '"*" is only allowed alone or as a leading "*."' };
	}
	const name = normaliseHostName(domain);
	if ('reason' in name) {
		return name;
	}
	return { kind: 'domain', domain: name.name, port, raw };
}

/**
 * Splits `host:port`, `[v6]:port`, `[v6]`, `v4/8:port` or a bare IPv6 address (many colons, no port).
 */
function splitPort(text: string): { host: string; port: number | undefined } | { reason: string } {
	let host = text;
	let portText: string | undefined;
	if (text.startsWith('[')) {
		const close = text.indexOf(']');
		if (close === -1) {
			return { reason: 'an IPv6 address opened with "[" is not closed with "]"' };
		}
		host = text.slice(1, close);
		const after = text.slice(close + 1);
		if (after !== '' && !after.startsWith(':')) {
			return { reason: 'unexpected text after "]"; expected ":port"' };
		}
		if (!host.includes(':')) {
			return { reason: 'only IPv6 addresses go inside "[...]"' };
		}
		portText = after === '' ? undefined : after.slice(1);
	} else {
		const slash = text.indexOf('/');
		const colon = text.lastIndexOf(':');
		// A port is present when the text has exactly one ":" (a name or IPv4), or a ":" after a CIDR prefix.
		const singleColon = colon !== -1 && text.indexOf(':') === colon;
		if ((singleColon && slash === -1) || (slash !== -1 && colon > slash)) {
			host = text.slice(0, colon);
			portText = text.slice(colon + 1);
		}
	}
	if (portText === undefined) {
		return { host, port: undefined };
	}
	if (!DIGITS.test(portText)) {
		return { reason: 'the port after ":" must be a number' };
	}
	const port = Number(portText);
	if (port < 1 || port > 65_535) {
		return { reason: `port ${port} is out of range (1 to 65535)` };
	}
	return { host, port };
}
