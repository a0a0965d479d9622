import { rootCertificates } from 'node:tls';
import type { Config, PurposePolicy } from '@homeserver/config';

/** Certificate checks for one purpose: applied to the TLS hop to an `https://` proxy and to the destination. */
export interface TlsProfile {
	/** `federation` or `default` (DESIGN.md 3.6). */
	readonly name: PurposePolicy['tls'];
	readonly rejectUnauthorized: boolean;
	/** Trusted roots; undefined means Node's defaults (system roots). */
	readonly ca: readonly string[] | undefined;
	/** What an operator checks or changes when a certificate check fails: `trusted by ...; for testing only, ...`. */
	readonly hint: string;
}

/**
 * The TLS profile of a purpose. `default`: verified against the system roots unless
 * `use_insecure_ssl_client_just_for_testing_do_not_use`; `federation`: `federation_verify_certificates` and
 * `federation_custom_ca_list` (which replaces the system roots, as in Synapse). `extraCa` (an embedding
 * application's private roots, or a test CA) is added to the system roots wherever those are used.
 */
export function tlsProfile(
	config: Config,
	which: PurposePolicy['tls'],
	extraCa: readonly string[] = [],
): TlsProfile {
	const withExtra = (ca: readonly string[] | null): readonly string[] | undefined => {
		if (ca !== null) return ca;
		return extraCa.length === 0 ? undefined : [...rootCertificates, ...extraCa];
	};
	if (which === 'federation') {
		return {
			name: which,
			rejectUnauthorized: config.tls.federationVerifyCertificates,
			ca: withExtra(config.tls.federationCustomCa),
			hint:
				'trusted by federation_custom_ca_list (the system trust store when unset); for testing only, ' +
				'federation_verify_certificates: false disables the check',
		};
	}
	return {
		name: which,
		rejectUnauthorized: !config.tls.insecureSkipVerify,
		ca: withExtra(null),
		hint:
			'trusted by the system trust store; for testing only, ' +
			'use_insecure_ssl_client_just_for_testing_do_not_use: true disables the check',
	};
}
