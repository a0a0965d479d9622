/**
 * Ours for the fan-out: the federation-sender app as `run` assembles it (SQLite outbox, delivery worker,
 * transport through `@homeserver/outbound-http` and the federation resolver), driven in process: a round
 * enqueues one PDU for every destination and waits until every destination has a 200 filed.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '@homeserver/config';
import type { SigningKey } from '@homeserver/federation';
import {
	createFederationTransport,
	DeliveryWorker,
	openSqliteOutbox,
	parsePdu,
} from '@homeserver/federation-sender';
import { pino } from 'pino';
import { within } from '../lib/load.js';
import { noDns } from '../lib/no-dns.js';
import { proxyUrl } from './contender.js';
import type { ProxyTarget } from './contender.js';

/** The sender under test. */
export interface OursFederation {
	/** Enqueues `pdu` for every destination; resolves with the milliseconds until all were delivered. */
	round(
		destinations: readonly string[],
		pdu: Record<string, unknown>,
		maxMs: number,
		options?: { readonly concurrentEnqueue?: boolean },
	): Promise<number>;
	/** SQLite commits so far and the write steps they carried (group commit). */
	commitStats(): { commits: number; steps: number };
	/** Transactions delivered so far. */
	readonly delivered: number;
	close(): Promise<void>;
}

/** Builds the sender in `dir` (outbox and key file), as server `origin`. */
export async function oursFederation(
	dir: string,
	proxy: ProxyTarget,
	caFile: string,
	origin: string,
	key: SigningKey,
): Promise<OursFederation> {
	const keyFile = join(dir, 'signing.key');
	await writeFile(keyFile, key.toKeyFileText(), { mode: 0o600 });
	const config = loadConfig({
		env: { https_proxy: proxyUrl(proxy) },
		yamlText: [
			`server_name: ${origin}`,
			`signing_key_path: ${JSON.stringify(keyFile)}`,
			`federation_custom_ca_list: [${JSON.stringify(caFile)}]`,
			'',
		].join('\n'),
	});
	const logger = pino({ level: 'silent' });
	const store = openSqliteOutbox(join(dir, 'outbox.db'));
	const transport = await createFederationTransport(config, logger, { dns: noDns });
	const worker = new DeliveryWorker({ store, origin, send: transport.send, logger });
	let delivered = 0;
	let waiter: { readonly target: number; resolve(): void; reject(error: Error): void } | undefined;
	worker.on('delivered', () => {
		delivered++;
		if (waiter !== undefined && delivered >= waiter.target) waiter.resolve();
	});
	worker.on('failed', ({ destination, error }) =>
		waiter?.reject(new Error(`delivery to ${destination} failed: ${error}`)),
	);
	await worker.start();
	return {
		get delivered() {
			return delivered;
		},
		commitStats: () => store.commitStats,
		async round(destinations, pdu, maxMs, options = {}) {
			const t0 = performance.now();
			const done = new Promise<void>((resolve, reject) => {
				waiter = { target: delivered + destinations.length, resolve, reject };
			});
			const item = parsePdu(pdu);
			// Concurrent enqueues (a homeserver fanning one event out) share group commits; sequential ones cannot.
			if (options.concurrentEnqueue === true)
				await Promise.all(destinations.map((d) => worker.enqueue(d, [item])));
			else for (const d of destinations) await worker.enqueue(d, [item]);
			try {
				await within(done, maxMs, `delivery of ${destinations.length} transactions`);
			} finally {
				waiter = undefined;
			}
			return performance.now() - t0;
		},
		async close() {
			await worker.stop();
			await transport.close();
			await store.close();
		},
	};
}
