/**
 * `@homeserver/media-fetcher`: downloads remote Matrix media through the forward proxy, keeps it in a local
 * store and serves it to the homeserver's clients.
 */
export { isMediaFetcherError, MEDIA_FETCHER_ERRORS, MediaFetcherError } from './errors.js';
export type { MediaFetcherErrorCode, MediaFetcherErrorOptions } from './errors.js';
export { assertMediaId, assertServerName, formatMxc, mediaRef, parseMxc } from './media-id.js';
export type { MediaRef } from './media-id.js';
export { boundaryFromContentType } from './multipart/boundary.js';
export { defaultMultipartLimits, MultipartMixedParser } from './multipart/parser.js';
export type { MultipartEvent, MultipartLimits } from './multipart/parser.js';
export type { PartHeaders } from './multipart/part-headers.js';
export { readMultipartAnswer } from './multipart/read-answer.js';
export type { MultipartAnswer } from './multipart/read-answer.js';
export {
	DEFAULT_CONTENT_TYPE,
	fileNameFromDisposition,
	mediaTypeOf,
	normalizeContentType,
	sanitizeFileName,
} from './media-headers.js';
export { MediaService } from './media-service.js';
export type {
	GetOptions,
	GotMedia,
	MediaServiceOptions,
	ProgressListener,
	RemoteFetchOptions,
	RemoteMedia,
	RemoteMediaSource,
} from './media-service.js';
export { MediaMetrics } from './metrics.js';
export type { LookupResult } from './metrics.js';
export { SingleFlight } from './single-flight.js';
export { cleanTempFiles, writeFileAtomically } from './store/atomic-file.js';
export type { AtomicWriteOptions, WrittenFile } from './store/atomic-file.js';
export { storeLayout } from './store/layout.js';
export type { StoreLayout } from './store/layout.js';
export { MediaStore } from './store/media-store.js';
export type { IncomingMedia, MediaStoreOptions, SaveOptions, StoredMedia } from './store/media-store.js';
export type { MediaRecord } from './store/metadata-db.js';
export { createMediaHandler } from './serve/media-handler.js';
export type { MediaHandler, MediaHandlerOptions } from './serve/media-handler.js';
export { matrixErrorOf, sendMatrixError } from './serve/matrix-error.js';
export {
	INLINE_CONTENT_TYPES,
	MEDIA_CSP,
	responseContentType,
	responseDisposition,
	securityHeaders,
} from './serve/response-headers.js';
export { parseDownloadRequest } from './serve/routes.js';
export type { DownloadRequest } from './serve/routes.js';
export { closeServer, listen, metricsHandler, portOf } from './serve/servers.js';
export { createFederationMediaSource, MULTIPART_OVERHEAD_BYTES } from './remote/federation-media-source.js';
export type { FederationMediaSourceOptions } from './remote/federation-media-source.js';
export { createRemoteSourceFromConfig } from './remote/from-config.js';
export type { RemoteSource, RemoteSourceOptions } from './remote/from-config.js';
export { toMediaError } from './remote/map-error.js';
export { isUnknownEndpoint } from './remote/unknown-endpoint.js';
export { openSigned } from './remote/signed-stream.js';
export type { SignedStreamOptions } from './remote/signed-stream.js';
export { openMediaFetcher, startMediaFetcher } from './app.js';
export type { MediaFetcher, MediaFetcherOptions, RunningMediaFetcher } from './app.js';
export { runCli, USAGE } from './cli/main.js';
export type { CliIo } from './cli/io.js';
export { createProgressReporter, formatBytes } from './cli/progress.js';
export type { ProgressReporter } from './cli/progress.js';
