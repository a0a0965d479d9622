/**
 * `@homeserver/federation`: Matrix server-name resolution, canonical JSON, ed25519 signing and the X-Matrix
 * request header. Independent of any HTTP library: the `.well-known` fetcher and the DNS resolver are injected.
 */
export {
	Base64Error,
	CanonicalJsonError,
	FEDERATION_ERRORS,
	FederationError,
	FederationResolutionError,
	ServerNameError,
	SignatureError,
	SigningKeyError,
	SigningKeyMissingError,
	isFederationError,
	XMatrixError,
} from './errors.js';
export type { FederationErrorCode, FederationErrorOptions } from './errors.js';
export { MatrixRemoteError } from './matrix-remote-error.js';
export type { MatrixRemoteErrorDetails } from './matrix-remote-error.js';
export type { HttpHeaders } from './headers.js';
export { parseHttpDate } from './http-date.js';
export { decodeBase64, encodeUnpaddedBase64 } from './base64.js';
export { canonicalJson, compareCodePoints } from './canonical-json.js';
export { parseJson } from './parse-json.js';
export {
	generateSigningKey,
	parseSigningKeyFile,
	readSigningKeyFile,
	SigningKey,
	signingKeyFromSeed,
} from './signing-key.js';
export { loadSigningKey } from './load-signing-key.js';
export { ed25519PublicKey, signedBytes, signJson, verifySignedJson } from './sign-json.js';
export type { JsonObject } from './sign-json.js';
export { buildXMatrixAuthorization, xMatrixSignedObject } from './x-matrix-build.js';
export type { XMatrixRequest } from './x-matrix-build.js';
export { parseXMatrixAuthorization } from './x-matrix-parse.js';
export type { XMatrixAuthorization } from './x-matrix-parse.js';
export { formatHostPort, formatServerName, parseServerName } from './server-name.js';
export type { ServerName } from './server-name.js';
export { cachePeriodFromHeaders } from './cache-period.js';
export { sortSrvRecords } from './srv-records.js';
export type { SrvDns, SrvRecord } from './srv-records.js';
export { WELL_KNOWN_MAX_BYTES, WELL_KNOWN_TIMEOUT_MS } from './well-known-resolver.js';
export type { WellKnownFetcher, WellKnownResponse } from './well-known-resolver.js';
export { createServerResolver, DEFAULT_FEDERATION_PORT } from './server-resolver.js';
export type {
	CandidateSource,
	ResolveOptions,
	ResolvedCandidate,
	ServerResolver,
	ServerResolverDeps,
} from './server-resolver.js';
export { FederationAbortedError, FederationRequestError, FederationTimeoutError } from './errors.js';
export { SRV_TIMEOUT_MS } from './srv-lookup.js';
export { createWellKnownFetcher } from './well-known-fetcher.js';
export { checkRequestPath, encodePathSegment } from './request-path.js';
export { createFederationClient, DEFAULT_FEDERATION_MAX_BYTES } from './federation-client.js';
export type {
	FederationClient,
	FederationClientOptions,
	FederationRequestOptions,
	FederationResponse,
	FederationStream,
	FederationStreamOptions,
} from './federation-client.js';
export { explainResolution, formatResolutionReport } from './explain-resolution.js';
export type { CandidateReport, ExplainDeps, ResolutionReport } from './explain-resolution.js';
export { createFederationStack, createOutboundStack, createStackResolver } from './federation-stack.js';
export type { FederationStack, FederationStackOptions } from './federation-stack.js';
export {
	DEFAULT_LONG_RETRY_SCHEDULE,
	DEFAULT_SHORT_RETRY_SCHEDULE,
	longRetryScheduleFromConfig,
	retryDelay,
	shortRetryScheduleFromConfig,
	uniform,
} from './retry-schedule.js';
export type { Random, RetrySchedule } from './retry-schedule.js';
export { isNetworkFailure } from './network-failure.js';
