import { headerValues } from './headers.js';
import type { HttpHeaders } from './headers.js';
import { parseHttpDate } from './http-date.js';

/**
 * How long (in seconds) a `.well-known/matrix/server` answer may be cached according to its response headers,
 * following Synapse's `_cache_period_from_headers` so that both servers agree on when to look again:
 *
 * - `Cache-Control: no-store` gives 0;
 * - else a non-empty integer `max-age` gives that many seconds (directives are split on `,`, names compared
 *   case-insensitively, spaces around `=` allowed; `private; max-age=0` has no `max-age` directive);
 * - else an `Expires` header (the last one) gives the seconds until then, and an unparseable date gives 0;
 * - else `undefined`: no caching headers, the caller applies its default.
 *
 * The result is not clamped; the caller clamps it (Synapse: 5 min .. 48 h). `now` is in milliseconds.
 */
export function cachePeriodFromHeaders(headers: HttpHeaders, now: number): number | undefined {
	const directives = parseCacheControl(headers);
	if (directives.has('no-store')) {
		return 0;
	}
	const maxAge = directives.get('max-age');
	if (maxAge !== undefined && maxAge !== '' && /^[+-]?\d{1,15}$/.test(maxAge)) {
		return Number(maxAge);
	}
	const expires = headerValues(headers, 'expires').at(-1);
	if (expires !== undefined) {
		const at = parseHttpDate(expires);
		return at === undefined ? 0 : (at - now) / 1000;
	}
	return undefined;
}

/** Every `Cache-Control` directive, name in lower case, value trimmed (`undefined` when it has none). */
function parseCacheControl(headers: HttpHeaders): Map<string, string | undefined> {
	const directives = new Map<string, string | undefined>();
	for (const header of headerValues(headers, 'cache-control')) {
		for (const directive of header.split(',')) {
			const equals = directive.indexOf('=');
			const name = (equals < 0 ? directive : directive.slice(0, equals)).trim().toLowerCase();
			directives.set(name, equals < 0 ? undefined : directive.slice(equals + 1).trim());
		}
	}
	return directives;
}
