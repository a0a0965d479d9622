/**
 * The boundary of a `multipart/mixed` answer, taken from its `Content-Type` header.
 *
 * Parsed with the `content-type` library (quoted or unquoted value, other parameters in any order), unlike
 * Synapse's split on `boundary=`, then checked against RFC 2046's boundary grammar. The grammar check matters
 * for the search too: a boundary made of `bchars` cannot contain CR or LF, so the delimiter `CRLF--boundary`
 * never overlaps itself.
 */
import { parse } from 'content-type';
import { MediaFetcherError } from '../errors.js';

// RFC 2046 5.1.1: 1-70 bchars, not ending with a space.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

/** Returns the boundary of a `multipart/mixed` Content-Type, or throws `ERR_MULTIPART_INVALID`. */
export function boundaryFromContentType(header: string | undefined): string {
	if (header === undefined) {
		throw new MediaFetcherError('ERR_MULTIPART_INVALID', 'The answer has no Content-Type');
	}
	let parsed: ReturnType<typeof parse>;
	try {
		parsed = parse(header);
	} catch (error) {
		throw new MediaFetcherError('ERR_MULTIPART_INVALID', 'The answer has a malformed Content-Type', {
			cause: error,
		});
	}
	if (parsed.type !== 'multipart/mixed') {
		throw new MediaFetcherError(
			'ERR_MULTIPART_INVALID',
			`Expected multipart/mixed, got ${JSON.stringify(parsed.type.slice(0, 100))}`,
		);
	}
	const boundary = parsed.parameters['boundary'];
	if (boundary === undefined || !BOUNDARY.test(boundary)) {
		throw new MediaFetcherError('ERR_MULTIPART_INVALID', 'The multipart boundary is missing or invalid');
	}
	return boundary;
}
