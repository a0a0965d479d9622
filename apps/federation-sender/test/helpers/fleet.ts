/**
 * A fleet of remote homeservers for the multi-instance tests: `count` testkit remote homeservers on loopback,
 * each named `rN.test:PORT` (the port in the name, so no SRV or .well-known is needed), one real Squid mapping
 * every `rN.test` to loopback, a throw-away PostgreSQL database, and a configuration file that sends through
 * that Squid and keeps the outbox in PostgreSQL.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '@homeserver/config';
import { generateSigningKey } from '@homeserver/federation';
import {
	createCertificateAuthority,
	requireSquid,
	startRemoteHomeserver,
	startSquid,
	type RemoteHomeserver,
} from '@homeserver/testkit';
import type { ExecutionContext } from 'ava';
import type { PostgresServer } from '@homeserver/testkit';

const squidRequired = Boolean(process.env['CI']) || process.env['TESTKIT_REQUIRE_SQUID'] === '1';

export const FLEET_ORIGIN = 'origin.test';

export interface Fleet {
	readonly dir: string;
	readonly configPath: string;
	readonly config: Config;
	readonly remotes: readonly RemoteHomeserver[];
}

/** Starts everything, or returns undefined when Squid is missing outside CI (the test passes, saying so). */
export async function startFleet(
	t: ExecutionContext,
	postgres: PostgresServer,
	count: number,
	yamlExtra: string[] = [],
): Promise<Fleet | undefined> {
	if (!(await requireSquid(t, squidRequired))) return undefined;
	const dir = await mkdtemp(join(tmpdir(), 'federation-sender-fleet-'));
	const cleanups: (() => unknown)[] = [() => rm(dir, { recursive: true, force: true })];
	t.teardown(async () => {
		for (const cleanup of cleanups.reverse()) await cleanup();
	});
	const ca = await createCertificateAuthority();
	const key = generateSigningKey('a_test');
	await writeFile(join(dir, 'signing.key'), key.toKeyFileText(), { mode: 0o600 });
	await writeFile(join(dir, 'ca.pem'), ca.certPem);
	const remotes: RemoteHomeserver[] = [];
	const hosts: Record<string, string> = {};
	for (let i = 0; i < count; i++) {
		const host = `r${i}.test`;
		hosts[host] = '127.0.0.1';
		const remote = await startRemoteHomeserver({
			serverName: (port) => `${host}:${port}`,
			tls: await ca.issue({ dnsNames: [host] }),
			keys: { [FLEET_ORIGIN]: { keyId: key.keyId, publicKeyBase64: key.publicKeyBase64 } },
		});
		cleanups.push(() => remote.close());
		remotes.push(remote);
	}
	const squid = await startSquid({ hosts });
	cleanups.push(() => squid.close());
	const database = await postgres.createDatabase();
	const configPath = join(dir, 'homeserver.yaml');
	await writeFile(
		configPath,
		[
			`server_name: ${FLEET_ORIGIN}`,
			'signing_key_path: signing.key',
			`https_proxy: ${squid.url}`,
			'federation_custom_ca_list: [ca.pem]',
			'federation_sender:',
			`  database: {name: psycopg2, args: {host: "${postgres.host}", port: ${postgres.port}, user: ${postgres.user}, database: ${database}}}`,
			...yamlExtra,
		].join('\n'),
	);
	return { dir, configPath, config: loadConfig({ env: {}, configPath }), remotes };
}
