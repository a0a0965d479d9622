/**
 * The media of a plain (non-multipart) 200 answer: the legacy endpoint's, or a `Location`'s.
 */
import type { RemoteMedia } from '../media-service.js';
import { withMediaErrors } from './map-error.js';
import { contentLengthOf, type StreamedAnswer } from './open-stream.js';

/**
 * The media of a plain (non-multipart) 200 answer. Its size was capped by the request (`maxBytes`: a larger
 * Content-Length is refused at the headers, a longer body while it streams); the service checks the length too.
 */
export function mediaFrom(answer: Pick<StreamedAnswer, 'headers' | 'body'>): RemoteMedia {
	const { headers } = answer;
	return {
		contentType: headers['content-type'] ?? null,
		contentDisposition: headers['content-disposition'] ?? null,
		contentLength: contentLengthOf(headers),
		body: withMediaErrors(answer.body),
	};
}
