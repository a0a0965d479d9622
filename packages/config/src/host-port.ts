/**
 * The one way to write a host in an authority (docs/architecture.md 3): an IPv6 literal in brackets, anything
 * else as it is. Used for proxy URLs, CONNECT lines, `Host` headers, route reports and log lines; it lives in
 * the lowest package so that every layer writes it the same way.
 */

/** `host` as it appears in an authority: `[::1]` for an IPv6 literal (given without brackets), else unchanged. */
export function bracketHost(host: string): string {
	return host.includes(':') ? `[${host}]` : host;
}

/** `host:port` with an IPv6 host in brackets (`[::1]:8448`), as in a CONNECT line or a URL's authority. */
export function formatHostPort(host: string, port: number): string {
	return `${bracketHost(host)}:${port}`;
}
