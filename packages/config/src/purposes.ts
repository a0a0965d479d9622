/**
 * The purpose table (docs/architecture.md 3.4): for each kind of outbound request, whether it may use the proxy and
 * which IP policy and TLS settings apply. `outbound_proxy_purposes` overrides "proxied".
 */
import type { Problems } from './errors.js';
import { showValue } from './errors.js';
import type { IpPolicy, Purpose, PurposePolicy } from './types.js';

/** Every purpose, in the order they are documented and printed. */
export const PURPOSES: readonly Purpose[] = Object.freeze([
	'federation',
	'media_redirect',
	'push',
	'url_preview',
	'oidc',
	'cas',
	'recaptcha',
	'phone_home',
	'key_revocation',
	'appservice',
	'identity_server',
	'replication',
]);

/** The IP policies the purposes pick from. */
export interface IpPolicies {
	/** `ip_range_blacklist` / `ip_range_whitelist`. */
	readonly default: IpPolicy;
	/** `federation_ip_range_blacklist` when set, else {@link IpPolicies.default}. */
	readonly federation: IpPolicy;
	/** `url_preview_ip_range_blacklist` when set, else {@link IpPolicies.default}. */
	readonly urlPreview: IpPolicy;
}

type PolicyName = keyof IpPolicies | null;

interface PurposeDefault {
	readonly proxied: boolean;
	readonly httpsProxyOnly: boolean;
	readonly policy: PolicyName;
	readonly tls: 'federation' | 'default';
}

const simple = (proxied: boolean, policy: PolicyName): PurposeDefault => ({
	proxied,
	httpsProxyOnly: false,
	policy,
	tls: 'default',
});

/** Defaults per purpose, following Synapse's documentation (not its v1.136+ behaviour for appservices). */
const DEFAULTS: Readonly<Record<Purpose, PurposeDefault>> = {
	federation: { proxied: true, httpsProxyOnly: true, policy: 'federation', tls: 'federation' },
	// A remote media `Location` is fetched by Synapse's SimpleHttpClient: default TLS, federation IP policy.
	media_redirect: simple(true, 'federation'),
	push: simple(true, 'default'),
	url_preview: simple(true, 'urlPreview'),
	oidc: simple(true, 'default'),
	cas: simple(true, 'default'),
	recaptcha: simple(true, 'default'),
	phone_home: simple(true, 'default'),
	key_revocation: simple(true, 'default'),
	appservice: simple(false, null),
	identity_server: simple(false, 'federation'),
	replication: simple(false, null),
};

/** Purposes whose traffic can never go through the forward proxy, whatever the overrides say. */
const NEVER_PROXIED: ReadonlySet<Purpose> = new Set(['replication']);

/**
 * Resolves every purpose from the IP policies and the `outbound_proxy_purposes` overrides
 * (`{purpose: true|false}`); unknown purposes and asking to proxy `replication` are problems.
 */
export function buildPurposes(
	policies: IpPolicies,
	overrides: Readonly<Record<string, boolean>> | undefined,
	problems: Problems,
): Record<Purpose, PurposePolicy> {
	const proxied = new Map<Purpose, boolean>();
	for (const [name, value] of Object.entries(overrides ?? {})) {
		const key = `outbound_proxy_purposes.${name}`;
		if (!isPurpose(name)) {
			problems.add(key, showValue(value), `unknown purpose; known purposes: ${PURPOSES.join(', ')}`);
		} else if (value && NEVER_PROXIED.has(name)) {
			problems.add(key, showValue(value), `${name} traffic (worker to worker) is never proxied`);
		} else {
			proxied.set(name, value);
		}
	}
	const entries = PURPOSES.map((purpose): [Purpose, PurposePolicy] => {
		const base = DEFAULTS[purpose];
		return [
			purpose,
			{
				proxied: proxied.get(purpose) ?? base.proxied,
				httpsProxyOnly: base.httpsProxyOnly,
				ipPolicy: base.policy === null ? null : policies[base.policy],
				tls: base.tls,
			},
		];
	});
	return Object.fromEntries(entries) as Record<Purpose, PurposePolicy>;
}

/** Whether a string names a purpose. */
export function isPurpose(name: string): name is Purpose {
	return (PURPOSES as readonly string[]).includes(name);
}
