/**
 * Validation of a destination server name (spec appendices, "Server Name"): `host[:port]` where host is an
 * IPv4 address, a bracketed IPv6 address or a DNS name of at most 255 characters.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { FederationSenderError } from '../errors.js';

const DNS_NAME = /^[A-Za-z0-9.-]{1,255}$/;
const PORT = /^[0-9]{1,5}$/;

/** Throws `ERR_INVALID_DESTINATION` unless `name` is a valid server name; returns it unchanged. */
export function assertServerName(name: string): string {
	const fail = (reason: string): never => {
		throw new FederationSenderError(
			'ERR_INVALID_DESTINATION',
			`invalid destination ${JSON.stringify(name)}: ${reason}`,
		);
	};
	let host = name;
	let port: string | undefined;
	if (name.startsWith('[')) {
		const end = name.indexOf(']');
		if (end < 0) fail('unclosed "["');
		host = name.slice(1, end);
		if (!isIPv6(host)) fail('not an IPv6 address in brackets');
		const rest = name.slice(end + 1);
		if (rest !== '') {
			if (!rest.startsWith(':')) fail('unexpected text after "]"');
			port = rest.slice(1);
		}
	} else {
		const colon = name.lastIndexOf(':');
		if (colon >= 0) {
			host = name.slice(0, colon);
			port = name.slice(colon + 1);
		}
		if (!DNS_NAME.test(host) && !isIPv4(host)) fail('the host is not a DNS name or an IPv4 address');
		if (host.startsWith('.') || host.endsWith('.') || host.includes('..')) fail('empty DNS label');
	}
	if (port !== undefined && (!PORT.test(port) || Number(port) < 1 || Number(port) > 65_535)) {
		fail('the port is not a number in 1-65535');
	}
	return name;
}
