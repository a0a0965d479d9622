import { createSecureContext, DEFAULT_MIN_VERSION, rootCertificates } from 'node:tls';
import type { SecureContext, SecureVersion } from 'node:tls';
import type { Config, PurposePolicy, TlsVersion } from '@homeserver/config';
import { compileCertificateWhitelist } from './certificate-whitelist.js';
import type { CertificateWhitelist } from './certificate-whitelist.js';

/** Certificate checks for one purpose: applied to the TLS hop to an `https://` proxy and to the destination. */
export interface TlsProfile {
	/** `federation` or `default` (docs/architecture.md 3.6). */
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
	/** The lowest TLS version accepted (federation: `federation_client_minimum_tls_version`, never below Node's). */
	readonly minVersion: SecureVersion;
	/**
	 * Whether the destination's certificate goes unchecked for this TLS server name, although
	 * {@link rejectUnauthorized} is set (federation: `federation_certificate_verification_whitelist`).
	 */
	readonly skipsVerification: CertificateWhitelist;
}

const TLS_ORDER: readonly string[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** The higher of Node's minimum and the configured one (Synapse never goes below its TLS library's own floor). */
export function effectiveMinVersion(
	configured: TlsVersion,
	floor: string = DEFAULT_MIN_VERSION,
): SecureVersion {
	return (TLS_ORDER.indexOf(configured) > TLS_ORDER.indexOf(floor) ? configured : floor) as SecureVersion;
}

const NEVER: CertificateWhitelist = () => false;

function profile(
	name: PurposePolicy['tls'],
	rejectUnauthorized: boolean,
	ca: readonly string[] | undefined,
	hint: string,
	minVersion: SecureVersion = DEFAULT_MIN_VERSION,
	skipsVerification: CertificateWhitelist = NEVER,
): TlsProfile {
	let context: SecureContext | undefined;
	return {
		name,
		rejectUnauthorized,
		ca,
		secureContext: () =>
			(context ??= createSecureContext(ca === undefined ? { minVersion } : { ca: [...ca], minVersion })),
		hint,
		minVersion,
		skipsVerification,
	};
}

/**
 * The TLS profile of a purpose. `default`: verified against the system roots unless
 * `use_insecure_ssl_client_just_for_testing_do_not_use`; `federation`: `federation_verify_certificates` and
 * `federation_custom_ca_list` (which replaces the system roots, as in Synapse), with
 * `federation_certificate_verification_whitelist` and `federation_client_minimum_tls_version`. `extraCa` (an embedding
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
			'trusted by federation_custom_ca_list (the system trust store when unset); ' +
				'federation_certificate_verification_whitelist skips the check for the servers it lists, ' +
				'federation_verify_certificates: false (testing only) for all',
			effectiveMinVersion(config.tls.federationMinimumTlsVersion),
			compileCertificateWhitelist(config.tls.federationCertificateVerificationWhitelist),
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
