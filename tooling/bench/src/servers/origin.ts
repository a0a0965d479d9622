/**
 * Starts the origin servers (origin-child.ts) in a child process with a certificate from a throw-away
 * test CA (testkit), for the name `origin.bench.test` and 127.0.0.1.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCertificateAuthority } from '@homeserver/testkit';
import { forkTs } from '../lib/child.js';
import type { Cleanup } from '../lib/cleanup.js';
import { tempDir } from '../lib/temp-dir.js';
import type { OriginReady, OriginStats } from './origin-protocol.js';

/** The host name of every origin; Squid's hosts file (or an injected lookup) maps it to 127.0.0.1. */
export const ORIGIN_HOST = 'origin.bench.test';

/** Running origin servers. */
export interface Origin {
	readonly hostName: string;
	readonly httpsPorts: readonly number[];
	readonly httpPorts: readonly number[];
	/** PEM of the CA that issued the server certificate. */
	readonly caPem: string;
	/** The same CA as a file. */
	readonly caFile: string;
	/** Counters of the child (requests, connections, TLS handshakes, transactions). */
	stats(): Promise<OriginStats>;
}

/** Starts `https` https listeners and `http` plain listeners on loopback; stopped by `cleanup`. */
export async function startOrigin(
	cleanup: Cleanup,
	counts: { readonly https: number; readonly http: number },
	extraNames: readonly string[] = [],
): Promise<Origin> {
	const dir = await tempDir(cleanup);
	const ca = await createCertificateAuthority({ name: 'Bench CA' });
	const tls = await ca.issue({ dnsNames: [ORIGIN_HOST, ...extraNames], ipAddresses: ['127.0.0.1'] });
	const caFile = join(dir, 'ca.pem');
	await writeFile(caFile, ca.certPem);
	const child = forkTs(new URL('./origin-child.ts', import.meta.url));
	cleanup.defer(child, (c) => c.stop());
	const ready = await child.ask<OriginReady>({ type: 'start', tls, ...counts }, 'ready', 60_000);
	return {
		hostName: ORIGIN_HOST,
		httpsPorts: ready.httpsPorts,
		httpPorts: ready.httpPorts,
		caPem: ca.certPem,
		caFile,
		stats: () => child.ask<OriginStats>({ type: 'stats' }, 'stats', 10_000),
	};
}
