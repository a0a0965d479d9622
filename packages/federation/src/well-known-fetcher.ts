import type { OutboundContext, OutboundHttp } from '@homeserver/outbound-http';
import type { WellKnownFetcher } from './well-known-resolver.js';

/**
 * The `.well-known/matrix/server` fetcher of a deployment: `GET https://<server>/.well-known/matrix/server` with
 * the outbound stack's `federation` client, so through `https_proxy` when one is set (CONNECT `<server>:443`),
 * the federation IP policy and TLS settings applied on every hop, redirects followed (each hop routed again), the
 * body capped while it streams, no retries (the resolver decides those). The resolver's `signal` cancels the
 * request when the lookup's budget is spent; the outbound stack's minimum body rate cuts a drip before that.
 */
export function createWellKnownFetcher(outbound: Pick<OutboundHttp, 'client'>): WellKnownFetcher {
	return async (serverName, { maxBytes, signal }) => {
		const response = await outbound.client('federation')(`https://${serverName}/.well-known/matrix/server`, {
			// Redirect hops are checked against federation_domain_whitelist on the server name, not on their host.
			context: { maxBytes, serverName } satisfies OutboundContext,
			throwHttpErrors: false,
			followRedirect: true,
			responseType: 'buffer',
			retry: { limit: 0 },
			...(signal === undefined ? {} : { signal }),
		});
		return { status: response.statusCode, headers: response.headers, body: response.rawBody };
	};
}
