import { FederationRequestError } from './errors.js';

/**
 * One path segment percent-encoded as Synapse does (`urllib.parse.quote(arg, "")`): everything except
 * `A-Z a-z 0-9 - _ . ~` is escaped, `!*'()` included. Use it for ids in federation paths (`txnId`, `mediaId`).
 */
export function encodePathSegment(segment: string): string {
	return encodeURIComponent(segment).replace(
		/[!'()*]/g,
		(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
	);
}

/**
 * Checks that `path` (path and `?query`) goes on the wire byte for byte as given, so that the signed `uri`
 * equals the request target: it must start with `/`, and URL parsing must not change it (no dot segments, no
 * characters that would be percent-encoded on the way, no fragment). Throws {@link FederationRequestError}.
 */
export function checkRequestPath(path: string): void {
	let parsed: URL | undefined;
	try {
		parsed = new URL(path, 'https://destination.invalid');
	} catch {
		parsed = undefined;
	}
	if (!path.startsWith('/') || path.startsWith('//') || parsed === undefined) {
		throw new FederationRequestError('the request path must start with a single "/"');
	}
	if (`${parsed.pathname}${parsed.search}` !== path || path.includes('#')) {
		throw new FederationRequestError(
			'the request path must be percent-encoded and normalised already (it is signed exactly as sent)',
		);
	}
}
