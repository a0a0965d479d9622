/**
 * The first part of a federation media answer: `Content-Type: application/json` (parameters such as `charset`
 * tolerated) and a JSON object (the metadata, currently always `{}`).
 */
import { parseJson } from '@homeserver/federation';
import { parse as parseContentType } from 'content-type';
import { MediaFetcherError } from '../errors.js';
import type { PartHeaders } from './part-headers.js';

/** Throws `ERR_MULTIPART_INVALID` unless the part's type is `application/json`. */
export function assertJsonPartHeaders(headers: PartHeaders): void {
	const type = headers.get('content-type');
	let mediaType: string | undefined;
	try {
		mediaType = type === undefined ? undefined : parseContentType(type).type;
	} catch {
		mediaType = undefined;
	}
	if (mediaType !== 'application/json') {
		throw new MediaFetcherError('ERR_MULTIPART_INVALID', 'The first part is not application/json');
	}
}

/** Parses the JSON part's body; throws `ERR_MULTIPART_INVALID` unless it is a JSON object. */
export function parseJsonPart(chunks: readonly Buffer[]): Readonly<Record<string, unknown>> {
	let metadata: unknown;
	try {
		metadata = parseJson(Buffer.concat(chunks).toString('utf8'));
	} catch (error) {
		throw new MediaFetcherError('ERR_MULTIPART_INVALID', 'The JSON part is not valid JSON', { cause: error });
	}
	if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
		throw new MediaFetcherError('ERR_MULTIPART_INVALID', 'The JSON part is not an object');
	}
	return metadata as Record<string, unknown>;
}
