// The remote homeserver of the testkit: an independent Matrix peer for federation and media tests.
export { startRemoteHomeserver } from './remote-homeserver.js';
export type { RemoteHomeserver, RemoteHomeserverOptions } from './remote-homeserver.js';
export type { RemoteRequest, RouteAnswer, RouteHandler } from './remote-request.js';
export type { ReceivedTransaction } from './transaction-log.js';
export { RemoteMedia } from './remote-media.js';
export type { MediaEntry, RawMediaAnswer, RemoteMediaFile } from './remote-media.js';
export { generatedBytes, generatedStream } from './generated-bytes.js';
export { contentDisposition, multipartFrame } from './multipart-layout.js';
export type { FrameOptions, MultipartFrame } from './multipart-layout.js';
export { canonicalJson as independentCanonicalJson } from './canonical-json.js';
export { parseXMatrix, verifyXMatrix } from './x-matrix-verify.js';
export type { SignedRequest, TrustedKey, VerifyResult, XMatrixParams } from './x-matrix-verify.js';
