import { createSecureContext, rootCertificates } from 'node:tls';
import type { SecureContext } from 'node:tls';
import type { Config, PurposePolicy } from '@homeserver/config';

/** Certificate checks for one purpose: applied to the TLS hop to an `https://` proxy and to the destination. */
export interface TlsProfile {
	/** `federation` or `default` (DESIGN.md 3.6). */
	readonly name: PurposePolicy['tls'];
	readonly rejectUnauthorized: boolean;
	/** Trusted roots; undefined means Node's defaults (system roots). */
	readonly ca: readonly string[] | undefined;
	/**
	 * The TLS context holding these roots, built on first use and shared by every connection of the profile
	 * (destination, tunnel and proxy hop). Building it costs tens of milliseconds of CPU when it copies the system
	 * roots, so it is never built per connection.
	 */
	secureContext(): SecureContext;
	/** What an operator checks or changes when a certificate check fails: `trusted by ...; for testing only, ...`. */
	readonly hint: string;
}

function profile(
	name: PurposePolicy['tls'],
	rejectUnauthorized: boolean,
	ca: readonly string[] | undefined,
	hint: string,
): TlsProfile {
	let context: SecureContext | undefined;
	return {
		name,
		rejectUnauthorized,
		ca,
		secureContext: () => (context ??= createSecureContext(ca === undefined ? {} : { ca: [...ca] })),
		hint,
	};
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
		return profile(
			which,
			config.tls.federationVerifyCertificates,
			withExtra(config.tls.federationCustomCa),
			'trusted by federation_custom_ca_list (the system trust store when unset); for testing only, ' +
				'federation_verify_certificates: false disables the check',
		);
	}
	return profile(
		which,
		!config.tls.insecureSkipVerify,
		withExtra(null),
		'trusted by the system trust store; for testing only, ' +
			'use_insecure_ssl_client_just_for_testing_do_not_use: true disables the check',
	);
}
