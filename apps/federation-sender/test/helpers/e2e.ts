/**
 * One end-to-end environment per test (testkit's `startFederationEnvironment`): a test CA, the testkit's remote homeserver (`remote.test`, verifying
 * X-Matrix against our key and de-duplicating by (origin, txnId)), a real Squid mapping `remote.test` to
 * loopback, and a configuration file that sends federation traffic through that Squid. `remote.test` has no
 * port, so it is found the spec's way: `.well-known` (none: Squid cannot connect to port 443) then an SRV record
 * served by an injected DNS that points at the remote's loopback port. No real DNS anywhere.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig, type Config } from '@homeserver/config';
import type { SrvDns } from '@homeserver/federation';
import {
	loopbackLookup,
	requireSquid,
	startFederationEnvironment,
	type RemoteHomeserver,
	type SquidProxy,
} from '@homeserver/testkit';
import type { ExecutionContext } from 'ava';
import type { FederationTransportOptions } from '../../src/transport/federation-transport.js';

/** In CI (or with TESTKIT_REQUIRE_SQUID=1) a missing Squid fails the test instead of skipping it. */
const squidRequired = Boolean(process.env['CI']) || process.env['TESTKIT_REQUIRE_SQUID'] === '1';

export const ORIGIN = 'origin.test';
export const DESTINATION = 'remote.test';

export interface Environment {
	readonly dir: string;
	readonly configPath: string;
	readonly config: Config;
	readonly remote: RemoteHomeserver;
	readonly squid: SquidProxy;
	/** Transport options that keep every lookup on loopback. */
	readonly transportOptions: FederationTransportOptions;
}

/** An SRV answer for `_matrix-fed._tcp.remote.test` pointing at `port`; nothing else resolves. */
export function srvFor(port: number): SrvDns {
	return {
		resolveSrv: (name) =>
			name === `_matrix-fed._tcp.${DESTINATION}`
				? Promise.resolve([{ name: DESTINATION, port, priority: 10, weight: 1 }])
				: Promise.reject(Object.assign(new Error(`no SRV record for ${name}`), { code: 'ENOTFOUND' })),
	};
}

/** Starts everything, or returns undefined when Squid is missing outside CI (the test passes, saying so). */
export async function startEnvironment(
	t: ExecutionContext,
	yamlExtra: string[] = [],
): Promise<Environment | undefined> {
	if (!(await requireSquid(t, squidRequired))) return undefined;
	const env = await startFederationEnvironment({
		origin: ORIGIN,
		remoteHost: DESTINATION,
		dirPrefix: 'federation-sender-e2e-',
	});
	t.teardown(() => env.close());
	const { dir, remote, squid } = env;
	const configPath = join(dir, 'homeserver.yaml');
	await writeFile(
		configPath,
		[
			...env.yamlLines,
			'federation_sender:',
			'  database: {name: sqlite3, args: {database: outbox.db}}',
			...yamlExtra,
		].join('\n'),
	);
	const config = loadConfig({ env: {}, configPath });
	const transportOptions: FederationTransportOptions = {
		// Everything goes through Squid (an IP literal): a name looked up here is a bug, and stays on loopback.
		lookup: loopbackLookup({}),
		dns: srvFor(remote.port),
		outbound: { retryLimit: 0 },
	};
	return { dir, configPath, config, remote, squid, transportOptions };
}
