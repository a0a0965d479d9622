// The public surface of @homeserver/testkit: real servers for tests and demos, loopback only.
export * from './errors.js';
export { duplicateErrorCodes, errorDocProblems } from './error-docs.js';
export { isLoopbackAddress, assertLoopbackAddress, formatAuthority } from './loopback.js';
export type { LoopbackHost } from './loopback.js';
export { closedPort } from './closed-port.js';
export { findFreePort } from './server-lifecycle.js';
export { createCertificateAuthority, createSelfSignedCertificate } from './certificate-authority.js';
export type {
	CertificateAuthority,
	CertificateAuthorityOptions,
	LeafCertificateRequest,
	TlsMaterial,
} from './certificate-authority.js';
export { loopbackLookup } from './loopback-lookup.js';
export type { LoopbackHostMap, LoopbackLookup } from './loopback-lookup.js';
export { createTestResolver } from './test-resolver.js';
export type { ResolverQuery, TestResolver, TestResolverOptions } from './test-resolver.js';
export { startHttpServer, startHttpsServer } from './destination-server.js';
export type {
	DestinationServer,
	DestinationServerOptions,
	RecordedRequest,
	RequestHandler,
} from './destination-server.js';
export { startForwardProxy } from './forward-proxy.js';
export type { ForwardProxy, ForwardProxyOptions } from './forward-proxy.js';
export type { ProxyAuthOptions } from './proxy-auth.js';
export type { ProxyLogEntry, ProxyOutcome, RefusedDestination } from './proxy-log.js';
export { connectViaProxy, requestViaProxy } from './proxy-client.js';
export type { ProxyClientOptions, ProxyClientResponse, TunnelResponse } from './proxy-client.js';
export { isSquidAvailable, missingSquidTools, requireSquid } from './squid-availability.js';
export type { SquidTools, TestContextLike } from './squid-availability.js';
export { startSquid } from './squid.js';
export type { ReadAccessLogOptions, SquidOptions, SquidProxy } from './squid.js';
export { parseSquidAccessLog } from './squid-access-log.js';
export type { SquidLogEntry } from './squid-access-log.js';
export { renderSquidConfig, squidLogFormat } from './squid-config.js';
export type { SquidConfigParams } from './squid-config.js';
export { forbidRealDns } from './forbid-real-dns.js';
export type { DnsGuard } from './forbid-real-dns.js';
export {
	RemoteMedia,
	contentDisposition,
	generatedBytes,
	generatedStream,
	independentCanonicalJson,
	multipartFrame,
	parseXMatrix,
	startRemoteHomeserver,
	verifyXMatrix,
} from './remote-homeserver/index.js';
export type {
	FrameOptions,
	MediaEntry,
	MultipartFrame,
	RawMediaAnswer,
	ReceivedTransaction,
	RemoteHomeserver,
	RemoteHomeserverOptions,
	RemoteMediaFile,
	RemoteRequest,
	RouteAnswer,
	RouteHandler,
	SignedRequest,
	TrustedKey,
	VerifyResult,
	XMatrixParams,
} from './remote-homeserver/index.js';
export { startSlowMediaRemote } from './slow-media-remote.js';
export type { SlowMediaMode, SlowMediaRemote, SlowMediaRemoteOptions } from './slow-media-remote.js';
export { startFederationEnvironment } from './federation-environment.js';
export type { FederationEnvironment, FederationEnvironmentOptions } from './federation-environment.js';
export { postgresMissing, startPostgres } from './postgres.js';
export type { PostgresOptions, PostgresServer } from './postgres.js';
export { startTestForwardProxy } from './test-forward-proxy.js';
export type { TestTeardown } from './test-forward-proxy.js';
