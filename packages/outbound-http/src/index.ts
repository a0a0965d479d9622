// The public surface of @homeserver/outbound-http.
export { createOutboundHttp } from './client/outbound-http.js';
export type { OutboundHttp, OutboundHttpOptions } from './client/outbound-http.js';
export { DEFAULT_TIMEOUTS } from './client/timeouts.js';
export type { OutboundTimeouts } from './client/timeouts.js';
export type { OutboundContext } from './client/body-cap.js';
export { DEFAULT_POOL_OPTIONS } from './agents/pool-options.js';
export type { PoolOptions } from './agents/pool-options.js';
export { createRouter, route, routerFor } from './route/router.js';
export type { Router } from './route/router.js';
export type { IpPolicyMatcher } from './route/ip-policy-matcher.js';
export { routeDecisionToJson } from './route/route-decision.js';
export type {
	ProxyMode,
	Route,
	RouteDecision,
	RouteDecisionJson,
	RouteTarget,
} from './route/route-decision.js';
export { ERROR_CODES, OUTBOUND_HTTP_ERRORS } from './errors/codes.js';
export type { OutboundHttpErrorCode } from './errors/codes.js';
export { OutboundHttpError, isOutboundHttpError } from './errors/outbound-http-error.js';
export { ProxyAuthRequiredError, ProxyError, ProxyRefusedError } from './errors/proxy-errors.js';
export type { ProxyErrorCode } from './errors/proxy-errors.js';
export {
	HttpStatusError,
	IpBlockedError,
	RequestTimeoutError,
	ResponseTooLargeError,
} from './errors/request-errors.js';
export type { IpBlock, TimeoutVia } from './errors/request-errors.js';
export { InvalidOptionError } from './errors/invalid-option-error.js';
export { UsageError } from './errors/usage-error.js';
export { createOutboundMetrics } from './metrics.js';
export type { OutboundMetrics } from './metrics.js';
export { redactUrl } from './redact-url.js';
