import { encodeUnpaddedBase64 } from './base64.js';
import { canonicalJson } from './canonical-json.js';
import { XMatrixError } from './errors.js';
import { parseServerName } from './server-name.js';
import type { SigningKey } from './signing-key.js';

/** What a federation request signature covers (spec: "Request Authentication"). */
export interface XMatrixRequest {
	/** The HTTP method, upper case (`PUT`, `GET`). */
	readonly method: string;
	/** The request target exactly as sent: path and `?query`, starting with `/` (no scheme, no host). */
	readonly uri: string;
	/** Our server name (pre-delegation), as configured in `server_name`. */
	readonly origin: string;
	/** The destination's server name (pre-delegation), as given, not the resolved host. */
	readonly destination: string;
	/** The parsed JSON request body; leave undefined when the request has no body. */
	readonly content?: unknown;
	/**
	 * The canonical JSON of `content` when the caller has it already (the body as it goes on the wire): signed as it
	 * is instead of being serialised a second time. Takes the place of `content`.
	 */
	readonly contentJson?: string;
	/** Our signing key. */
	readonly key: SigningKey;
}

const METHOD = /^[A-Z]{1,20}$/;
/** Printable ASCII without space: a request target as it goes on the wire. */
const URI = /^\/[\x21-\x7e]*$/;

/**
 * The canonical JSON bytes a request signature covers: `{method, uri, origin, destination[, content]}`.
 * Exposed so that a receiver (or a test) can check a signature with any verifier.
 */
export function xMatrixSignedObject(request: Omit<XMatrixRequest, 'key'>): Record<string, unknown> {
	if (!METHOD.test(request.method)) {
		throw new XMatrixError('method must be an upper-case HTTP method');
	}
	if (request.uri.length > 8192 || !URI.test(request.uri)) {
		throw new XMatrixError('uri must be the request target as sent: "/" then printable ASCII, no spaces');
	}
	for (const [name, value] of [
		['origin', request.origin],
		['destination', request.destination],
	] as const) {
		if (!/^[\x21-\x7e]+$/.test(value)) {
			throw new XMatrixError(`${name} must be an ASCII server name (use the IDNA form)`);
		}
		try {
			parseServerName(value);
		} catch (error) {
			throw new XMatrixError(`${name} is not a valid server name`, { cause: error });
		}
	}
	const signed: Record<string, unknown> = {
		method: request.method,
		uri: request.uri,
		origin: request.origin,
		destination: request.destination,
	};
	if (request.content !== undefined) {
		signed['content'] = request.content;
	}
	return signed;
}

/**
 * The `Authorization` header value for a federation request, in the form every implementation accepts:
 * `X-Matrix origin="…",destination="…",key="ed25519:…",sig="…"` (one space after the scheme, lower-case names,
 * every value quoted, no white space around commas). Server names cannot contain `"` or `\` (they are checked),
 * so no value needs escaping. Throws {@link XMatrixError} for an invalid method, uri or server name, and
 * `CanonicalJsonError` when `content` is not canonical JSON.
 */
export function buildXMatrixAuthorization(request: XMatrixRequest): string {
	const signature = encodeUnpaddedBase64(request.key.sign(signedJson(request)));
	return (
		`X-Matrix origin="${request.origin}",destination="${request.destination}",` +
		`key="${request.key.keyId}",sig="${signature}"`
	);
}

/**
 * The canonical JSON a request signature covers. With `contentJson`, the object is written around it: its keys in
 * canonical (code point) order are `content`, `destination`, `method`, `origin`, `uri`, and the four strings are
 * checked by {@link xMatrixSignedObject} first. For a 50-PDU transaction this halves the serialisation per send.
 */
function signedJson(request: XMatrixRequest): string {
	const { contentJson, ...rest } = request;
	const signed = xMatrixSignedObject(rest);
	if (contentJson === undefined) return canonicalJson(signed);
	return (
		`{"content":${contentJson},"destination":${canonicalJson(request.destination)},` +
		`"method":${canonicalJson(request.method)},"origin":${canonicalJson(request.origin)},` +
		`"uri":${canonicalJson(request.uri)}}`
	);
}
