/**
 * `@homeserver/config`: one validated, deeply frozen configuration from `homeserver.yaml` and the proxy
 * environment variables, and the parsers behind it.
 */
export type {
	Config,
	DatabaseConfig,
	Environment,
	FederationSenderConfig,
	IpPolicy,
	IpRange,
	ListenConfig,
	MediaFetcherConfig,
	NoProxyEntry,
	NoProxyList,
	ProxyConfig,
	Purpose,
	PurposePolicy,
	SettingSource,
	TlsConfig,
} from './types.js';
export { CONFIG_ERRORS, ConfigError, isConfigError } from './errors.js';
export type { ConfigErrorCode, ConfigProblem } from './errors.js';
export { errorCode } from './error-code.js';
export { loadConfig, loadConfigFromProcess } from './load.js';
export type { LoadConfigOptions } from './load.js';
export { DEFAULT_PROXY_PORT, parseProxyUrl } from './proxy-url.js';
export type { ProxyEndpointInit } from './proxy-url.js';
import { ProxyEndpoint as ProxyEndpointImplementation } from './proxy-url.js';
import type { ProxyEndpoint as ProxyEndpointShape } from './types.js';
/** A parsed forward proxy (see the interface in `types.ts`); implemented by the class below. */
export type ProxyEndpoint = ProxyEndpointShape;
/**
 * The class behind the {@link ProxyEndpoint} interface (same name, for `new` and `instanceof`): the password
 * in a private field, redacted in `toString()`, `toJSON()` and `util.inspect()`.
 */
export const ProxyEndpoint = ProxyEndpointImplementation;
export { parseNoProxy } from './no-proxy.js';
export { ALWAYS_BLOCKED, DEFAULT_IP_RANGE_BLOCKLIST, parseIpRanges } from './ip-ranges.js';
// The one IP module (docs/architecture.md 3.3, 3.5): outbound-http matches on the same numeric form.
export { formatIp, parseIp, parseIpv4 } from './ip/ip-address.js';
export type { IpAddress } from './ip/ip-address.js';
export type { IpCidr } from './ip/cidr.js';
export { PrefixTable } from './ip/prefix-table.js';
export { PURPOSES, isPurpose } from './purposes.js';
export { DEFAULT_MAX_UPLOAD_SIZE, parseSize } from './size.js';
export { describeConfig, redactConfig } from './describe.js';
export { redactProxyString } from './redact.js';
export { isValidAceLabel } from './host-name.js';
