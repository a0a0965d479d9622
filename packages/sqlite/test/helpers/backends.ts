/**
 * Runs one behaviour suite on every engine that works in the current Node: better-sqlite3 on Node 20,
 * node:sqlite on Node 24 (where the addon built for Node 20 does not load), both where both load.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { openSqlite, sqliteBackends } from '../../src/index.js';
import type { OpenSqliteOptions, SqliteBackendName, SqliteDatabase } from '../../src/index.js';

/** The engines that load here, best first. */
export const AVAILABLE: readonly SqliteBackendName[] = sqliteBackends()
	.filter((status) => status.available)
	.map((status) => status.name);

/** What a behaviour test gets: its engine and helpers to open databases on it, closed at the end. */
export interface BackendContext {
	readonly backend: SqliteBackendName;
	/** Opens `path` (default: a new in-memory database) on this engine; closed at the end of the test. */
	readonly open: (path?: string, options?: Omit<OpenSqliteOptions, 'backend'>) => SqliteDatabase;
	/** A new private directory, removed at the end of the test. */
	readonly tempDir: () => Promise<string>;
}

/** Registers `title` once per available engine, prefixed with the engine's name. */
export function eachBackend(
	title: string,
	body: (t: ExecutionContext, context: BackendContext) => void | Promise<void>,
): void {
	for (const backend of AVAILABLE) {
		test(`${backend}: ${title}`, async (t) => {
			const opened: SqliteDatabase[] = [];
			const dirs: string[] = [];
			t.teardown(async () => {
				for (const db of opened) db.close();
				await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
			});
			await body(t, {
				backend,
				open: (path = ':memory:', options = {}) => {
					const db = openSqlite(path, { ...options, backend });
					opened.push(db);
					return db;
				},
				tempDir: async () => {
					const dir = await mkdtemp(join(tmpdir(), 'homeserver-sqlite-'));
					dirs.push(dir);
					return dir;
				},
			});
		});
	}
}
