/**
 * Forward-proxy URLs (docs/architecture.md 3.2): `[scheme://][user[:password]@]host[:port][/]`, parsed and checked at
 * start-up into a {@link ProxyEndpoint} that keeps the password private.
 */
import { Buffer } from 'node:buffer';
import { isIPv4 } from 'node:net';
import { inspect } from 'node:util';
import { ConfigError, Problems, showValue } from './errors.js';
import { normaliseHostName } from './host-name.js';
import { bracketHost } from './host-port.js';
import { formatIp, parseIpExact } from './ip/ip-address.js';
import type { ProxyEndpoint as ProxyEndpointShape, SettingSource } from './types.js';

/** Port used when a proxy URL names none, for http and https proxies alike (as Synapse does). */
export const DEFAULT_PROXY_PORT = 1080;

const SCHEME = /^([^:/?#@[\]]*):\/\//;
const VALID_SCHEME = /^[a-z][a-z0-9+.-]*$/;
const DIGITS = /^\d+$/;

/** What a {@link ProxyEndpoint} is made of. */
export interface ProxyEndpointInit {
	readonly protocol: 'http:' | 'https:';
	readonly host: string;
	readonly port: number;
	readonly username?: string | undefined;
	readonly password?: string | undefined;
	readonly source: SettingSource;
}

/**
 * A validated forward proxy. The password lives in a private field; `toString()`, `toJSON()` and
 * `util.inspect()` give the redacted URL, and only {@link ProxyEndpoint.authorization} (a header value for
 * the proxy) reveals the credentials. Instances are frozen.
 */
export class ProxyEndpoint implements ProxyEndpointShape {
	readonly protocol: 'http:' | 'https:';
	readonly host: string;
	readonly port: number;
	readonly hasCredentials: boolean;
	readonly username: string | undefined;
	readonly origin: string;
	readonly redacted: string;
	readonly source: SettingSource;
	readonly #authorization: string | undefined;

	/** Builds an endpoint from already-validated parts; use {@link parseProxyUrl} for operator input. */
	constructor(init: ProxyEndpointInit) {
		this.protocol = init.protocol;
		this.host = init.host;
		this.port = init.port;
		this.username = init.username;
		this.hasCredentials = init.username !== undefined;
		this.source = init.source;
		const host = bracketHost(init.host);
		this.origin = `${init.protocol}//${host}:${init.port}`;
		const user =
			init.username === undefined
				? ''
				: `${encodeURIComponent(init.username)}${init.password ? ':***' : ''}@`;
		this.redacted = `${init.protocol}//${user}${host}:${init.port}`;
		this.#authorization =
			init.username === undefined
				? undefined
				: `Basic ${Buffer.from(`${init.username}:${init.password ?? ''}`, 'utf8').toString('base64')}`;
		Object.freeze(this);
	}

	/** `Basic base64(user:password)` for the `Proxy-Authorization` header, or undefined without credentials. */
	get authorization(): string | undefined {
		return this.#authorization;
	}

	/** The redacted URL. */
	toString(): string {
		return this.redacted;
	}

	/** The redacted URL, so `JSON.stringify(config)` is safe. */
	toJSON(): string {
		return this.redacted;
	}

	/** The redacted URL and its source, for `console.log` and `util.inspect`. */
	[inspect.custom](): string {
		return `ProxyEndpoint <${this.redacted}> from ${this.source}`;
	}
}

/**
 * Parses a proxy setting (docs/architecture.md 3.2). Throws a {@link ConfigError} naming `source` (for example
 * `HTTPS_PROXY (environment)`) and the reason; the value shown in it has the password redacted.
 */
export function parseProxyUrl(value: string, source: SettingSource): ProxyEndpoint {
	const problems = new Problems();
	const endpoint = collectProxyUrl(value, source, problems);
	problems.throwIfAny();
	if (endpoint === undefined) {
		// Unreachable (a proxy URL without problems always parses), but never a code-less error.
		throw new ConfigError([{ key: source, value: '', reason: 'the proxy URL cannot be parsed' }]);
	}
	return endpoint;
}

/** Like {@link parseProxyUrl}, but records problems instead of throwing (for the loader). */
export function collectProxyUrl(
	value: string,
	source: SettingSource,
	problems: Problems,
): ProxyEndpoint | undefined {
	const raw = value.trim();
	const shown = showValue(raw);
	const fail = (reason: string): undefined => {
		problems.add(source, shown, reason);
		return undefined;
	};
	if (raw === '') {
		return fail('the proxy URL is empty');
	}
	let protocol: 'http:' | 'https:' = 'http:';
	let rest = raw;
	const scheme = SCHEME.exec(raw);
	if (scheme !== null) {
		const name = (scheme[1] ?? '').toLowerCase();
		if (!VALID_SCHEME.test(name)) {
			return fail('not a valid URL scheme before "://"');
		}
		if (name !== 'http' && name !== 'https') {
			return fail(`unsupported proxy scheme "${name}": only http and https proxies are supported`);
		}
		protocol = `${name}:`;
		rest = raw.slice(scheme[0].length);
	}
	// The user information ends at the last "@" (a password may hold "@", "/", "?" or "#" unencoded);
	// the authority ends at the first "/", "?" or "#" after it.
	const at = rest.lastIndexOf('@');
	const afterAt = rest.slice(at + 1);
	const end = afterAt.search(/[/?#]/);
	const hostPort = end === -1 ? afterAt : afterAt.slice(0, end);
	const tail = end === -1 ? '' : afterAt.slice(end);
	if (/[?#]/.test(tail)) {
		return fail('a query or fragment is not allowed in a proxy URL');
	}
	if (tail !== '' && tail !== '/') {
		return fail('a path other than "/" is not allowed in a proxy URL');
	}
	const address = parseHostPort(hostPort);
	if ('reason' in address) {
		return fail(address.reason);
	}
	const credentials: { username?: string; password?: string } | { reason: string } =
		at === -1 ? {} : parseUserInfo(rest.slice(0, at));
	if ('reason' in credentials) {
		return fail(credentials.reason);
	}
	return new ProxyEndpoint({ protocol, ...address, ...credentials, source });
}

function parseHostPort(text: string): { host: string; port: number } | { reason: string } {
	let host: string;
	let portText: string | undefined;
	if (text.startsWith('[')) {
		const close = text.indexOf(']');
		if (close === -1) {
			return { reason: 'an IPv6 address opened with "[" is not closed with "]"' };
		}
		const ip = parseIpExact(text.slice(1, close));
		if (ip?.family !== 6) {
			return { reason: 'not a valid IPv6 address inside "[...]"' };
		}
		host = formatIp(ip);
		const after = text.slice(close + 1);
		if (after !== '' && !after.startsWith(':')) {
			return { reason: 'unexpected text after the IPv6 address; expected ":port"' };
		}
		portText = after === '' ? undefined : after.slice(1);
	} else {
		const parts = text.split(':');
		if (parts.length > 2) {
			return { reason: 'an IPv6 address must be written in brackets, like http://[2001:db8::1]:3128' };
		}
		const name = parts[0] ?? '';
		portText = parts[1];
		if (name === '') {
			return { reason: 'the proxy URL has no host' };
		}
		if (isIPv4(name)) {
			host = name;
		} else {
			const normalised = normaliseHostName(name);
			if ('reason' in normalised) {
				return { reason: `invalid proxy host: ${normalised.reason}` };
			}
			host = normalised.name;
		}
	}
	if (portText === undefined || portText === '') {
		return { host, port: DEFAULT_PROXY_PORT };
	}
	if (!DIGITS.test(portText)) {
		return { reason: 'the port must be a number' };
	}
	const port = Number(portText);
	if (port < 1 || port > 65_535) {
		return { reason: `port ${port} is out of range (1 to 65535)` };
	}
	return { host, port };
}

function parseUserInfo(text: string): { username: string; password: string } | { reason: string } {
	const colon = text.indexOf(':');
	const rawUser = colon === -1 ? text : text.slice(0, colon);
	const rawPassword = colon === -1 ? '' : text.slice(colon + 1);
	let username: string;
	let password: string;
	try {
		username = decodeURIComponent(rawUser);
		password = decodeURIComponent(rawPassword);
	} catch {
		return { reason: 'a bad percent-escape in the user name or password (write "%" as "%25")' };
	}
	if (username === '') {
		return { reason: 'the user name before "@" is empty' };
	}
	if (username.includes(':')) {
		return { reason: 'the user name must not contain ":" (Basic authentication cannot carry it)' };
	}
	return { username, password };
}
