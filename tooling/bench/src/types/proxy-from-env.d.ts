// proxy-from-env 2.x ships no type declarations; this is its one export.
declare module 'proxy-from-env' {
	/** The proxy URL for `url` from the *_proxy / no_proxy environment variables, or '' for none. */
	export function getProxyForUrl(
		url: string | URL | { protocol?: string; host?: string; port?: string },
	): string;
}
