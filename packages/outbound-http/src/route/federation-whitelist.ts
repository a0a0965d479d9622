import type { FederationDenial } from '../errors/request-errors.js';

/** Decides whether federation with a server name is allowed: the refusal, or undefined when allowed. */
export type FederationWhitelist = (serverName: string) => FederationDenial | undefined;

/**
 * Compiles `federation_domain_whitelist` (docs/architecture.md 3, 4) into one set lookup. Synapse compares the
 * destination's server name with the listed names exactly as written (no wildcards, no normalisation), and so do
 * we. Undefined when the key is unset (every server allowed), so the router skips the step.
 */
export function compileFederationWhitelist(list: readonly string[] | null): FederationWhitelist | undefined {
	if (list === null) return undefined;
	const allowed = new Set(list);
	return (serverName) =>
		allowed.has(serverName) ? undefined : { serverName, key: 'federation_domain_whitelist' };
}
