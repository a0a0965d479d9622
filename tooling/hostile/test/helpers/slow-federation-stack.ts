/**
 * The federation sender of the slow-remote tests, assembled from the real parts the way `federation-sender run`
 * assembles them (outbound stack, resolver with the configured budgets, federation client, the transport's send
 * with its resolution permits, the delivery worker on a SQLite outbox, turn slots = sends + resolutions), with two test
 * seams: names resolve to loopback, and the `.well-known` fetch (port 443, which a test cannot bind) is sent to
 * the test's `.well-known` server on its port, `Host` kept.
 */
import type { LookupFunction } from 'node:net';
import type { Config } from '@homeserver/config';
import { createFederationClient, createServerResolver, createWellKnownFetcher } from '@homeserver/federation';
import type { SigningKey, SrvDns } from '@homeserver/federation';
import {
	DeliveryWorker,
	openSqliteOutbox,
	PermitGate,
	sendTransactionVia,
} from '@homeserver/federation-sender';
import { createOutboundHttp } from '@homeserver/outbound-http';
import type { OutboundHttp } from '@homeserver/outbound-http';
import type { HandlerFunction, Options } from 'got';

/** What a test drives and inspects. */
export interface SlowFederationStack {
	readonly worker: DeliveryWorker;
	readonly outbound: OutboundHttp;
	readonly resolutions: PermitGate;
	/** Stops the worker, closes the outbound stack and the outbox. */
	close(): Promise<void>;
}

/** Sends `https://<name>/...` (port 443) to `port` on the same name, keeping `Host: <name>`. */
function wellKnownPort(port: number): HandlerFunction {
	return ((options: Options, next: (options: Options) => unknown) => {
		const url = options.url;
		if (url instanceof URL && url.protocol === 'https:' && url.port === '') {
			const moved = new URL(url);
			moved.port = String(port);
			options.url = moved;
			options.headers = { ...options.headers, host: url.hostname };
		}
		return next(options);
	}) as HandlerFunction;
}

/** Builds the sender for `config` (its `federation_sender` limits and SQLite outbox). */
export function slowFederationStack(
	config: Config,
	seams: { lookup: LookupFunction; dns: SrvDns; wellKnownPort: number; signingKey: SigningKey },
): SlowFederationStack {
	const limits = config.federationSender;
	const outbound = createOutboundHttp(config, { lookup: seams.lookup });
	const wellKnownClient = outbound
		.client('federation')
		.extend({ handlers: [wellKnownPort(seams.wellKnownPort)] });
	const resolver = createServerResolver({
		fetchWellKnown: createWellKnownFetcher({ client: () => wellKnownClient }),
		wellKnownTimeoutMs: limits.wellKnownTimeoutMs,
		srvTimeoutMs: limits.srvTimeoutMs,
		dns: seams.dns,
	});
	const client = createFederationClient({ config, outbound, signingKey: seams.signingKey, resolver });
	const resolutions = new PermitGate(limits.maxConcurrentResolutions);
	const send = sendTransactionVia(client, {
		timeoutMs: limits.sendTimeoutMs,
		maxResponseBytes: 256 * 1024,
		resolutions,
	});
	if (config.federationSender.database.kind !== 'sqlite')
		throw new Error('the slow tests use a SQLite outbox');
	const store = openSqliteOutbox(config.federationSender.database.path);
	const worker = new DeliveryWorker({
		store,
		origin: config.serverName,
		send,
		concurrency: limits.maxConcurrentSends + limits.maxConcurrentResolutions,
	});
	return {
		worker,
		outbound,
		resolutions,
		async close() {
			await worker.stop();
			client.close();
			outbound.close();
			await store.close();
		},
	};
}
