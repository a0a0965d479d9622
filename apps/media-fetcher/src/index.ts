/**
 * `@homeserver/media-fetcher`: downloads remote Matrix media through the forward proxy, keeps it in a local
 * store and serves it to the homeserver's clients.
 */
export { errorCatalogue, isMediaFetcherError, MediaFetcherError } from './errors.js';
export type { MediaFetcherErrorCode, MediaFetcherErrorOptions } from './errors.js';
export { assertMediaId, assertServerName, formatMxc, mediaRef, parseMxc } from './media-id.js';
export type { MediaRef } from './media-id.js';
export { boundaryFromContentType } from './multipart/boundary.js';
export { defaultMultipartLimits, MultipartMixedParser } from './multipart/parser.js';
export type { MultipartEvent, MultipartLimits } from './multipart/parser.js';
export type { PartHeaders } from './multipart/part-headers.js';
export { readMultipartAnswer } from './multipart/read-answer.js';
export type { MultipartAnswer } from './multipart/read-answer.js';
