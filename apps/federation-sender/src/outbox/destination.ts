/**
 * Destination server names as the outbox keys them: validated with the spec's grammar and normalised
 * (IDNA ASCII, lower case, IPv6 in brackets) by the federation package, so `Remote.Example` and
 * `remote.example` share one queue, one transaction in flight and one backoff.
 */
import { formatServerName, parseServerName } from '@homeserver/federation';
import { FederationSenderError } from '../errors.js';

/** The normal form of `name`; throws `ERR_INVALID_DESTINATION` (cause: the parser's error) when invalid. */
export function normaliseDestination(name: string): string {
	try {
		return formatServerName(parseServerName(name));
	} catch (error) {
		throw new FederationSenderError(
			'ERR_INVALID_DESTINATION',
			`invalid destination ${JSON.stringify(name.slice(0, 300))}: ${(error as Error).message}`,
			{ cause: error },
		);
	}
}
