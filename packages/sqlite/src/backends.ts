/**
 * Which engine to use: better-sqlite3 when its addon loads in this Node (the default on Node 20, where it is
 * the only one), `node:sqlite` otherwise (Node 22.13+ and 24, where the addon built for Node 20 does not
 * load). Each engine is loaded at most once per process, on first need, and its outcome remembered.
 */
import { loadBetterSqlite3 } from './better-sqlite3-driver.js';
import type { Driver } from './driver.js';
import { SqliteError } from './errors.js';
import type { SqliteBackendFailure } from './errors.js';
import { loadNodeSqlite } from './node-sqlite-driver.js';
import type { SqliteBackendName } from './types.js';

/** One engine's loader, in preference order (internal; tests pass their own). */
export interface BackendLoader {
	readonly name: SqliteBackendName;
	readonly load: () => Driver;
}

/** The engines, best first. */
export const BACKEND_LOADERS: readonly BackendLoader[] = [
	{ name: 'better-sqlite3', load: loadBetterSqlite3 },
	{ name: 'node:sqlite', load: loadNodeSqlite },
];

/** Whether one engine works in this Node, and why not when it does not. */
export type SqliteBackendStatus =
	| { readonly name: SqliteBackendName; readonly available: true }
	| { readonly name: SqliteBackendName; readonly available: false; readonly reason: string };

/** What loading one engine gave. */
export type Outcome = { readonly driver: Driver } | { readonly failure: SqliteBackendFailure };

const outcomes = new Map<SqliteBackendName, Outcome>();

/** The loader's message on one line (better-sqlite3's ABI mismatch spans three), capped. */
function oneLine(error: unknown): string {
	const text = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
	return text.length > 400 ? `${text.slice(0, 399)}…` : text;
}

function attempt(loader: BackendLoader, cache: Map<SqliteBackendName, Outcome>): Outcome {
	let outcome = cache.get(loader.name);
	if (outcome === undefined) {
		try {
			outcome = { driver: loader.load() };
		} catch (error) {
			outcome = { failure: { backend: loader.name, reason: oneLine(error) } };
		}
		cache.set(loader.name, outcome);
	}
	return outcome;
}

/**
 * The first engine of `loaders` (restricted to `only` when given) that loads, or `ERR_SQLITE_UNAVAILABLE`
 * naming every engine tried and why it failed. `cache` remembers outcomes (the process-wide one by default).
 */
export function chooseDriver(
	only: SqliteBackendName | undefined,
	loaders: readonly BackendLoader[] = BACKEND_LOADERS,
	cache: Map<SqliteBackendName, Outcome> = outcomes,
): Driver {
	const failures: SqliteBackendFailure[] = [];
	for (const loader of loaders) {
		if (only !== undefined && loader.name !== only) continue;
		const outcome = attempt(loader, cache);
		if ('driver' in outcome) return outcome.driver;
		failures.push(outcome.failure);
	}
	const tried = failures.map((failure) => `${failure.backend}: ${failure.reason}`).join('; ');
	throw new SqliteError(
		'ERR_SQLITE_UNAVAILABLE',
		`no SQLite engine works in Node ${process.version} (${tried === '' ? 'none requested' : tried})`,
		{ failures },
	);
}

/**
 * Tries every engine and says which work in this Node, best first (diagnostics and tests). Loading
 * `node:sqlite` on Node 22 prints its experimental-feature warning once.
 */
export function sqliteBackends(): readonly SqliteBackendStatus[] {
	return BACKEND_LOADERS.map((loader): SqliteBackendStatus => {
		const outcome = attempt(loader, outcomes);
		return 'driver' in outcome
			? { name: loader.name, available: true }
			: { name: loader.name, available: false, reason: outcome.failure.reason };
	});
}
