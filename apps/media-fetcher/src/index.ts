/**
 * `@homeserver/media-fetcher`: downloads remote Matrix media through the forward proxy, keeps it in a local
 * store and serves it to the homeserver's clients. The CLI (`bin/media-fetcher.js`) is the product; this barrel
 * is what other workspaces use (the benchmarks, the hostile-input tests): opening the fetcher, media
 * references, the federation media source and the multipart reader. Everything else is internal.
 */
export { isMediaFetcherError, MEDIA_FETCHER_ERRORS, MediaFetcherError } from './errors.js';
export type { MediaFetcherErrorCode, MediaFetcherErrorOptions } from './errors.js';
export { mediaRef, parseMxc } from './media-id.js';
export type { MediaRef } from './media-id.js';
export { boundaryFromContentType } from './multipart/boundary.js';
export { defaultMultipartLimits, MultipartMixedParser } from './multipart/parser.js';
export type { MultipartEvent, MultipartLimits } from './multipart/parser.js';
export { readMultipartAnswer } from './multipart/read-answer.js';
export type { MultipartAnswer } from './multipart/read-answer.js';
export type { RemoteFetchOptions, RemoteMedia, RemoteMediaSource } from './media-service.js';
export { storeLayout } from './store/layout.js';
export type { StoreLayout } from './store/layout.js';
export { createFederationMediaSource } from './remote/federation-media-source.js';
export type { FederationMediaSourceOptions } from './remote/federation-media-source.js';
export { openMediaFetcher, startMediaFetcher } from './app.js';
export type { MediaFetcher, MediaFetcherOptions, RunningMediaFetcher } from './app.js';
export { portOf } from './serve/servers.js';
