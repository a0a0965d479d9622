const SECRET_PARAMETERS = ['access_token', 'client_secret', 'token', 'password'];

/**
 * The URL as text that is safe to log or put in a message: user name and password removed, and the values of
 * query parameters that carry secrets (`access_token`, `client_secret`, `token`, `password`) replaced by `***`.
 * Fast when there is nothing to redact (the common case on the hot path).
 */
export function redactUrl(url: URL): string {
	const search = url.search;
	const secretQuery = search !== '' && SECRET_PARAMETERS.some((name) => search.includes(name));
	if (url.username === '' && url.password === '' && !secretQuery) return url.href;
	const copy = new URL(url.href);
	copy.username = '';
	copy.password = '';
	if (secretQuery) {
		for (const name of SECRET_PARAMETERS) {
			if (copy.searchParams.has(name)) copy.searchParams.set(name, '***');
		}
	}
	return copy.href;
}
