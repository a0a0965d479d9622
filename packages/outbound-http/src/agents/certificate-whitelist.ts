/**
 * `federation_certificate_verification_whitelist` (docs/architecture.md 3.6), with Synapse's glob rules
 * (`matrix_common.regex.glob_to_regex`, matched against the TLS server name): the whole name must match, ASCII case
 * ignored, `*` is any run of characters (dots included, so `*.onion` covers `a.b.onion`) and `?` exactly one.
 */

/** Whether certificate verification is skipped for a TLS server name. */
export type CertificateWhitelist = (serverName: string) => boolean;

const WILDCARD_RUN = /[?*]+/g;

function escape(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** One pattern as a regular expression source, anchored. */
function patternSource(pattern: string): string {
	let source = '';
	let last = 0;
	for (const match of pattern.matchAll(WILDCARD_RUN)) {
		source += escape(pattern.slice(last, match.index));
		const run = match[0];
		const ones = run.length - run.replaceAll('?', '').length;
		source += run.includes('*') ? (ones === 0 ? '.*?' : `.{${ones},}`) : `.{${ones}}`;
		last = match.index + run.length;
	}
	return `^(?:${source}${escape(pattern.slice(last))})$`;
}

/** Compiles the patterns once into one expression; no patterns means nothing is skipped. */
export function compileCertificateWhitelist(patterns: readonly string[]): CertificateWhitelist {
	if (patterns.length === 0) return () => false;
	const expression = new RegExp(patterns.map(patternSource).join('|'), 'is');
	return (serverName) => expression.test(serverName);
}
