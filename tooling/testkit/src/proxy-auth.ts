import type { IncomingHttpHeaders } from 'node:http';
import { TestkitError } from './errors.js';

/** Basic credentials a proxy demands (in-process proxy and Squid alike). */
export interface ProxyAuthOptions {
	readonly username: string;
	readonly password: string;
	/** Realm named in `Proxy-Authenticate: Basic realm="..."`. Default `testkit`. */
	readonly realm?: string;
}

/** Throws `ERR_TESTKIT_INVALID_OPTION` for credentials or a realm that cannot be written safely. */
export function validateProxyAuth(auth: ProxyAuthOptions): void {
	if (auth.username === '' || /[:\s]/.test(auth.username) || auth.username.length > 64) {
		throw new TestkitError(
			'ERR_TESTKIT_INVALID_OPTION',
			'proxy user name must be 1-64 characters without ":" or spaces',
		);
	}
	if (auth.password === '' || /[\r\n]/.test(auth.password) || auth.password.length > 128) {
		throw new TestkitError(
			'ERR_TESTKIT_INVALID_OPTION',
			'proxy password must be 1-128 characters without line breaks',
		);
	}
	if (auth.realm !== undefined && !/^[\w .@-]{1,64}$/.test(auth.realm)) {
		throw new TestkitError('ERR_TESTKIT_INVALID_OPTION', `invalid realm ${JSON.stringify(auth.realm)}`);
	}
}

/** The `Proxy-Authenticate` header value for `auth`. */
export function basicChallenge(auth: ProxyAuthOptions): string {
	return `Basic realm="${auth.realm ?? 'testkit'}"`;
}

/**
 * Checks the request's `Proxy-Authorization` against `auth`; returns the user name when it matches
 * (`Basic base64(user:password)`, scheme case-insensitive), otherwise undefined.
 */
export function authorizedUser(headers: IncomingHttpHeaders, auth: ProxyAuthOptions): string | undefined {
	const header = headers['proxy-authorization'];
	const match = header === undefined ? null : /^basic\s+([A-Za-z0-9+/=]{1,1024})\s*$/i.exec(header);
	if (match?.[1] === undefined) return undefined;
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return undefined;
	const user = decoded.slice(0, colon);
	return user === auth.username && decoded.slice(colon + 1) === auth.password ? user : undefined;
}
