/**
 * Builds the IP policies (docs/architecture.md 3.5) from the `ip_range_*` keys: Synapse's defaults, `0.0.0.0` and `::`
 * always blocked, the legacy `federation_ip_range_blacklist`, and the URL-preview lists.
 */
import type { Problems } from './errors.js';
import { ALWAYS_BLOCKED, DEFAULT_IP_RANGE_BLOCKLIST, collectIpRanges } from './ip-ranges.js';
import type { IpPolicies } from './purposes.js';
import type { IpPolicy, IpRange } from './types.js';

/** A list-valued key as found in the YAML, under whichever of its spellings the operator used. */
export interface ListSetting {
	readonly key: string;
	readonly value: readonly string[] | undefined;
}

/** The YAML settings the policies are built from. */
export interface IpPolicySettings {
	readonly blocklist: ListSetting;
	readonly allowlist: ListSetting;
	readonly federationBlocklist: ListSetting;
	readonly urlPreviewBlocklist: ListSetting;
	readonly urlPreviewAllowlist: ListSetting;
}

/** Parses every list once and shares the results between the policies. */
export function buildIpPolicies(settings: IpPolicySettings, problems: Problems): IpPolicies {
	const always = collectIpRanges(ALWAYS_BLOCKED, 'always blocked', problems);
	const blocklist = (setting: ListSetting, fallback?: readonly string[]): IpRange[] => [
		...collectIpRanges(setting.value ?? fallback ?? [], setting.key, problems),
		...always,
	];
	const defaultPolicy = policy(
		settings.blocklist.key,
		blocklist(settings.blocklist, DEFAULT_IP_RANGE_BLOCKLIST),
		settings.allowlist.key,
		collectIpRanges(settings.allowlist.value ?? [], settings.allowlist.key, problems),
	);
	// Synapse: a set federation_ip_range_blacklist replaces the blocklist and has no allowlist; the key to
	// change is then that key for both.
	const federation =
		settings.federationBlocklist.value === undefined
			? defaultPolicy
			: policy(
					settings.federationBlocklist.key,
					blocklist(settings.federationBlocklist),
					settings.federationBlocklist.key,
					[],
				);
	const urlPreview =
		settings.urlPreviewBlocklist.value === undefined
			? defaultPolicy
			: policy(
					settings.urlPreviewBlocklist.key,
					blocklist(settings.urlPreviewBlocklist),
					settings.urlPreviewAllowlist.key,
					collectIpRanges(
						settings.urlPreviewAllowlist.value ?? [],
						settings.urlPreviewAllowlist.key,
						problems,
					),
				);
	return { default: defaultPolicy, federation, urlPreview };
}

function policy(
	blocklistKey: string,
	blocklist: IpRange[],
	allowlistKey: string,
	allowlist: IpRange[],
): IpPolicy {
	return { blocklistKey, blocklist, allowlistKey, allowlist };
}
