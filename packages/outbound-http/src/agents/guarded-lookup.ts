import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { OutboundHttpError } from '../errors/outbound-http-error.js';
import { IpBlockedError } from '../errors/request-errors.js';
import { checkAddressText } from '../route/ip-policy-matcher.js';
import type { IpPolicyMatcher } from '../route/ip-policy-matcher.js';

type LookupCallback = (
	error: NodeJS.ErrnoException | null,
	address: string | LookupAddress[],
	family?: number,
) => void;

function normalise(
	optionsOrCallback: LookupOptions | number | LookupCallback,
	maybeCallback: LookupCallback | undefined,
): [LookupOptions, LookupCallback | undefined] {
	if (typeof optionsOrCallback === 'function') return [{}, optionsOrCallback];
	if (typeof optionsOrCallback === 'number') return [{ family: optionsOrCallback }, maybeCallback];
	return [optionsOrCallback ?? {}, maybeCallback];
}

/**
 * A `dns.lookup` for direct connections that checks the IP policy inside the lookup the socket really uses
 * (docs/architecture.md 3.5): it always resolves every address, and if ANY is blocked (or is not a valid address, or there is
 * none) the whole name is refused, so a name cannot pass with one good and one internal address (DNS rebinding).
 * Answers in the form asked for (`{all: true}` or one address).
 */
export function guardedLookup(policy: IpPolicyMatcher, base: LookupFunction = dnsLookup): LookupFunction {
	const guarded = (
		hostname: string,
		optionsOrCallback: LookupOptions | number | LookupCallback,
		maybeCallback?: LookupCallback,
	): void => {
		const [options, callback] = normalise(optionsOrCallback, maybeCallback);
		if (typeof callback !== 'function')
			throw new OutboundHttpError('ERR_INTERNAL', 'lookup needs a callback');
		const wantAll = options.all === true;
		base(hostname, { ...options, all: true }, (error, result) => {
			if (error !== null) return callback(error, wantAll ? [] : '');
			const addresses: LookupAddress[] = Array.isArray(result)
				? result
				: typeof result === 'string' && result !== ''
					? [{ address: result, family: result.includes(':') ? 6 : 4 }]
					: [];
			let refusal: Error | undefined;
			if (addresses.length === 0) {
				refusal = new OutboundHttpError('ERR_DESTINATION_UNREACHABLE', `${hostname} resolved to no address`);
			}
			for (const entry of addresses) {
				if (refusal !== undefined) break;
				const verdict =
					typeof entry?.address === 'string' ? checkAddressText(policy, entry.address) : 'invalid';
				if (verdict === 'invalid') {
					refusal = new OutboundHttpError(
						'ERR_DESTINATION_UNREACHABLE',
						`the resolver returned an invalid address for ${hostname}`,
					);
				} else if (verdict !== undefined) {
					refusal = new IpBlockedError(hostname, verdict);
				}
			}
			if (refusal !== undefined) return callback(refusal, wantAll ? [] : '');
			if (wantAll) return callback(null, addresses);
			const first = addresses[0] as LookupAddress;
			callback(null, first.address, first.family);
		});
	};
	return guarded;
}
