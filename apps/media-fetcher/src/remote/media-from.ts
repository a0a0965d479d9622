/**
 * The media of a plain (non-multipart) 200 answer: the legacy endpoint's, or a `Location`'s.
 */
import type { RemoteMedia } from '../media-service.js';
import { withMediaErrors } from './map-error.js';
import { contentLengthOf, refuseAnnouncedOversize, type OpenResponse } from './open-stream.js';

/** The media of a plain (non-multipart) 200 answer. */
export function mediaFrom(answer: OpenResponse, maxBytes: number): RemoteMedia {
	refuseAnnouncedOversize(answer, maxBytes);
	const headers = answer.response.headers;
	return {
		contentType: headers['content-type'] ?? null,
		contentDisposition: headers['content-disposition'] ?? null,
		contentLength: contentLengthOf(answer.response),
		body: withMediaErrors(answer.body),
	};
}
