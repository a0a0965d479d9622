import { formatIp, parseIp, parseIpv4 } from '@homeserver/config';
import type { IpAddress } from '@homeserver/config';
import { OutboundHttpError } from '../errors/outbound-http-error.js';
import type { RouteTarget } from './route-decision.js';

/**
 * A {@link RouteTarget} plus the parsed address for IP literals, which routing compares numerically. The address
 * stays out of the JSON form (an IPv6 one is a bigint, which `JSON.stringify` refuses), so a decision can be
 * logged or printed as it is.
 */
export class ParsedTarget implements RouteTarget {
	constructor(
		readonly protocol: 'http:' | 'https:',
		readonly host: string,
		readonly port: number,
		readonly isIp: boolean,
		readonly ip: IpAddress | undefined,
	) {}

	/** The public {@link RouteTarget} fields only. */
	toJSON(): RouteTarget {
		return { protocol: this.protocol, host: this.host, port: this.port, isIp: this.isIp };
	}
}

/**
 * ERR_INVALID_URL for an input that is not an absolute URL, with a hint for IPv6 zone ids. The input is not
 * echoed (it may carry credentials). `from`: the redacted URL whose redirect led to it, if any.
 */
export function invalidUrlError(input: string | undefined, cause: unknown, from?: string): OutboundHttpError {
	const zone =
		input !== undefined && /\[[^\]]*%/.test(input)
			? ': IPv6 zone ids are not allowed in destination URLs'
			: '';
	const what = `not an absolute URL${zone}`;
	return new OutboundHttpError(
		'ERR_INVALID_URL',
		from === undefined ? what : `${from} redirected to a location that is ${what}`,
		{ cause },
	);
}

/** ERR_UNSUPPORTED_PROTOCOL for a URL scheme other than http: and https:; `from` as in {@link invalidUrlError}. */
export function unsupportedProtocolError(
	protocol: string,
	cause?: unknown,
	from?: string,
): OutboundHttpError {
	const what = `unsupported protocol ${JSON.stringify(protocol)}: only http: and https: URLs can be requested`;
	return new OutboundHttpError(
		'ERR_UNSUPPORTED_PROTOCOL',
		from === undefined ? what : `${from} redirected to ${what}`,
		{
			cause,
		},
	);
}

/** Parses a URL given as text; ERR_INVALID_URL (with a hint for IPv6 zone ids) when it is not an absolute URL. */
export function toUrl(input: URL | string): URL {
	if (input instanceof URL) return input;
	try {
		return new URL(input);
	} catch (error) {
		throw invalidUrlError(input, error);
	}
}

/**
 * The destination of a WHATWG URL: host without IPv6 brackets or trailing dots, numeric IPv4 spellings already
 * normalised by `URL` (`http://0x7f.1/` is `127.0.0.1`), IPv4-mapped IPv6 folded to IPv4, default ports filled.
 */
export function parseTarget(url: URL): ParsedTarget {
	const protocol = url.protocol;
	if (protocol !== 'http:' && protocol !== 'https:') throw unsupportedProtocolError(protocol);
	let host = url.hostname;
	const port = url.port === '' ? (protocol === 'https:' ? 443 : 80) : Number(url.port);
	if (host.startsWith('[')) {
		const ip = parseIp(host);
		if (ip === undefined) throw new OutboundHttpError('ERR_INVALID_URL', `invalid IPv6 host ${host}`);
		// WHATWG URL already wrote the address in canonical form; only a folded IPv4-mapped one needs formatting.
		return new ParsedTarget(protocol, ip.family === 4 ? formatIp(ip) : host.slice(1, -1), port, true, ip);
	}
	while (host.endsWith('.')) host = host.slice(0, -1);
	if (host === '') throw new OutboundHttpError('ERR_INVALID_URL', 'the URL has no host');
	const code = host.charCodeAt(host.length - 1);
	if (code >= 48 && code <= 57) {
		const v4 = parseIpv4(host);
		if (v4 !== undefined) return new ParsedTarget(protocol, host, port, true, { family: 4, value: v4 });
	}
	return new ParsedTarget(protocol, host, port, false, undefined);
}

/** `host:port` with IPv6 bracketed, as in a CONNECT line or `route --json` `connect` (config's helper). */
export { formatHostPort as hostPort } from '@homeserver/config';
