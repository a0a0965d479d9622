import { constants } from 'node:fs';
import { access } from 'node:fs/promises';

/** Where the Squid tools live; defaults are Debian's (`squid-openssl`, `apache2-utils`). */
export interface SquidTools {
	/** Default `/usr/sbin/squid`. Tests may pass `process.env.SQUID_BIN` here. */
	readonly squidBin?: string;
	/** Default `/usr/lib/squid/basic_ncsa_auth`. */
	readonly authHelper?: string;
	/** Default `/usr/bin/htpasswd`. */
	readonly htpasswdBin?: string;
}

/** Debian's paths of the tools. */
export const squidToolDefaults = {
	squidBin: '/usr/sbin/squid',
	authHelper: '/usr/lib/squid/basic_ncsa_auth',
	htpasswdBin: '/usr/bin/htpasswd',
} as const;

/**
 * The tools that are missing or not executable: Squid, and with `withAuth` (default) its Basic-auth helper and
 * htpasswd. Empty when Squid can run.
 */
export async function missingSquidTools(tools: SquidTools = {}, withAuth = true): Promise<string[]> {
	const paths = [tools.squidBin ?? squidToolDefaults.squidBin];
	if (withAuth)
		paths.push(
			tools.authHelper ?? squidToolDefaults.authHelper,
			tools.htpasswdBin ?? squidToolDefaults.htpasswdBin,
		);
	const missing = await Promise.all(
		paths.map((path) =>
			access(path, constants.X_OK).then(
				() => undefined,
				() => path,
			),
		),
	);
	return missing.filter((path): path is string => path !== undefined);
}

/** Whether Squid, its Basic-auth helper and htpasswd are installed. */
export async function isSquidAvailable(tools: SquidTools = {}): Promise<boolean> {
	return (await missingSquidTools(tools)).length === 0;
}

/** The part of an ava `ExecutionContext` that {@link requireSquid} uses. */
export interface TestContextLike {
	log(...values: unknown[]): void;
	fail(message?: string): void;
	pass(message?: string): void;
}

/**
 * Call first in a test that needs Squid: resolves true when it is installed. When it is not, the test says so
 * clearly: with `required` (the caller decides, e.g. in CI) it fails; otherwise it logs the reason, passes, and
 * the caller returns early.
 */
export async function requireSquid(
	t: TestContextLike,
	required: boolean,
	tools: SquidTools = {},
): Promise<boolean> {
	const missing = await missingSquidTools(tools);
	if (missing.length === 0) return true;
	const message = `Squid is not available (missing: ${missing.join(', ')}); install squid-openssl and apache2-utils (.ci/install-system-deps.sh)`;
	if (required) {
		t.fail(message);
	} else {
		t.log(`SKIPPED: ${message}`);
		t.pass();
	}
	return false;
}
