/**
 * What the app-level fault tests share: the prerequisite (Squid), a
 * private directory with the signing key and CA, a real Squid behind a fixed-port relay (so it can be killed and
 * started again while clients keep one proxy URL), a seeded random source, and polling with a deadline.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey } from '@homeserver/federation';
import type { SigningKey } from '@homeserver/federation';
import { requireSquid, startSquid } from '@homeserver/testkit';
import type { SquidProxy } from '@homeserver/testkit';
import type { ExecutionContext } from 'ava';
import { PROXY_PASSWORD, PROXY_USER } from './secrets.js';
import { testPki } from './stack.js';
import { startTcpRelay } from './tcp-relay.js';
import type { TcpRelay } from './tcp-relay.js';

/** In CI (or with TESTKIT_REQUIRE_SQUID=1) a missing Squid fails the test instead of skipping it. */
const squidRequired = Boolean(process.env['CI']) || process.env['TESTKIT_REQUIRE_SQUID'] === '1';

/** True when the app tests can run here: Squid is installed (a missing Squid fails the test in CI). */
export async function appsCanRun(t: ExecutionContext): Promise<boolean> {
	return requireSquid(t, squidRequired);
}

/** A private directory with `signing.key` and `ca.pem`, removed at the end of the test. */
export interface AppDir {
	readonly dir: string;
	readonly key: SigningKey;
}

/** Creates the directory and its files; registers its removal. */
export async function appDir(t: ExecutionContext, name: string): Promise<AppDir> {
	const dir = await mkdtemp(join(tmpdir(), `hostile-${name}-`));
	t.teardown(() => rm(dir, { recursive: true, force: true }));
	const key = generateSigningKey('hostile');
	const { ca } = await testPki();
	await writeFile(join(dir, 'signing.key'), key.toKeyFileText(), { mode: 0o600 });
	await writeFile(join(dir, 'ca.pem'), ca.certPem);
	return { dir, key };
}

/** A real Squid (Basic auth with the suite's credentials) behind a relay whose port never changes. */
export interface RestartableSquid {
	/** The proxy origin clients use (the relay), without credentials. */
	readonly url: string;
	/** Kills Squid (SIGKILL), keeps the port closed for `downMs`, starts a new Squid and reopens the port. */
	crash(downMs: number): Promise<void>;
	readonly restarts: number;
	/** Client connections that went through the relay to Squid. */
	readonly connections: number;
	close(): Promise<void>;
}

/** Starts Squid resolving `hosts` to loopback. */
export async function startRestartableSquid(
	hosts: Readonly<Record<string, string>>,
): Promise<RestartableSquid> {
	const options = { hosts, auth: { username: PROXY_USER, password: PROXY_PASSWORD } };
	let squid: SquidProxy = await startSquid(options);
	const relay: TcpRelay = await startTcpRelay(squid.port);
	let restarts = 0;
	return {
		url: `http://127.0.0.1:${relay.port}`,
		get restarts() {
			return restarts;
		},
		get connections() {
			return relay.connections;
		},
		async crash(downMs) {
			await relay.pause();
			await squid.close();
			await sleep(downMs);
			squid = await startSquid(options);
			await relay.resume(squid.port);
			restarts += 1;
		},
		async close() {
			await relay.close();
			await squid.close();
		},
	};
}

/** Sleeps `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A seeded random source (mulberry32), so a failing run can be replayed from the seed it logged. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
		mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
		return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
	};
}

/** Polls `condition` every 100 ms until it holds; throws `describe()` after `timeoutMs` (a hang guard). */
export async function waitFor(
	condition: () => boolean,
	timeoutMs: number,
	describe: () => string,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`gave up waiting after ${timeoutMs} ms: ${describe()}`);
		await sleep(100);
	}
}
