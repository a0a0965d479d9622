/**
 * Ours: a got client of `@homeserver/outbound-http` for a purpose, configured the way an operator would
 * (proxy variables, plus YAML for the CA and the loopback allowance), used the way an app uses it.
 */
import { ourConfig, ourOutbound } from '../lib/ours.js';
import { checkResponse, proxyUrl } from './contender.js';
import type { ContenderSetup, HttpContender } from './contender.js';

/** Options of {@link oursContender}. */
export interface OursOptions {
	/** The purpose of the client (`federation` for https: it verifies against `federation_custom_ca_list`). */
	readonly purpose: string;
	/** Extra homeserver.yaml text (the CA list is added). */
	readonly yaml?: string;
	/** Lookup for direct routes (names mapped to loopback). */
	readonly lookup?: unknown;
}

/** Our client, or the reason it is not available yet. */
export async function oursContender(
	setup: ContenderSetup,
	options: OursOptions,
): Promise<HttpContender | string> {
	const config = await ourConfig();
	if (!config.ok) return config.why;
	const outbound = await ourOutbound(['createOutboundHttp']);
	if (!outbound.ok) return outbound.why;
	const proxy = proxyUrl(setup.proxy);
	const yamlText = `federation_custom_ca_list: [${JSON.stringify(setup.caFile)}]\n${options.yaml ?? ''}`;
	const cfg = await config.api.loadConfig({ env: { https_proxy: proxy, http_proxy: proxy }, yamlText });
	const http = outbound.api.createOutboundHttp(
		cfg,
		options.lookup === undefined ? {} : { lookup: options.lookup },
	);
	const client = http.client(options.purpose);
	return {
		async get(url) {
			const res = await client.get(url);
			checkResponse(res.statusCode, res.rawBody.length, setup.expectedBytes);
		},
		async close() {
			await http.close?.();
		},
	};
}
