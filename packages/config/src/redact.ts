/**
 * Redaction of secrets in values that go into messages: proxy URLs (the password becomes `***`) and
 * configuration values that might hold a password (any key that looks like one).
 */

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const SECRET_KEY = /pass|secret|token|credential|key$/i;

/**
 * Whether a configuration key's name looks like it holds a secret (`password`, `..._secret`, `token`,
 * `credentials`, `..._key`): its value is never shown. The one detector of the package (messages and
 * descriptions alike).
 */
export function isSecretKey(name: string): boolean {
	return SECRET_KEY.test(name);
}

/**
 * Redacts a proxy setting as written, even when it is malformed: everything between the first `:` of the user
 * information and the last `@` becomes `***` (`http://bob:***@proxy:3128`). A user name alone is kept, unless it
 * holds a percent-encoded `:` (`bob%3Asecret`, which the proxy reads as user and password) or a malformed
 * percent-escape: then the whole user information becomes `***`.
 */
export function redactProxyString(raw: string): string {
	const scheme = SCHEME.exec(raw)?.[0] ?? '';
	const rest = raw.slice(scheme.length);
	const at = rest.lastIndexOf('@');
	if (at === -1) {
		return raw;
	}
	const userinfo = rest.slice(0, at);
	const colon = userinfo.indexOf(':');
	// Without a literal ":", anything that might decode to one (`bob%3Asecret`, a bad escape) may be a password.
	const shown =
		colon !== -1
			? `${userinfo.slice(0, colon)}:***`
			: /%(?:3a|(?![0-9a-f]{2}))/i.test(userinfo)
				? '***'
				: userinfo;
	return `${scheme}${shown}${rest.slice(at)}`;
}

/**
 * A copy of a YAML value with every property whose name looks secret (`password`, `secret`, `..._key`)
 * replaced by `***` and every string redacted as a proxy URL, for showing it in a message.
 */
export function redactSecrets(value: unknown): unknown {
	if (Array.isArray(value)) {
		return value.map((item) => redactSecrets(item));
	}
	if (value !== null && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value).map(([key, item]) => [key, isSecretKey(key) ? '***' : redactSecrets(item)]),
		);
	}
	return typeof value === 'string' ? redactProxyString(value) : value;
}
