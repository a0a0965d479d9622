// locking_mode=EXCLUSIVE on every engine, as the federation-sender's run lock uses it: the first writer keeps
// the file locked until it closes or its process dies (even by SIGKILL); others fail at once with SQLITE_BUSY.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqliteDatabase } from '../src/index.js';
import { eachBackend } from './helpers/backends.js';

const FIXTURE = fileURLToPath(new URL('fixtures/hold-lock.ts', import.meta.url));

/** Takes the lock as the run lock does; throws when another connection holds it. */
function takeLock(db: SqliteDatabase): void {
	db.pragma('locking_mode = EXCLUSIVE');
	db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL)');
	db.prepare('DELETE FROM holder').run();
	db.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
}

eachBackend('an exclusive lock shuts out a second connection until the first closes', async (t, context) => {
	const path = join(await context.tempDir(), 'lock.db');
	const first = context.open(path, { busyTimeoutMs: 0 });
	takeLock(first);
	const second = context.open(path, { busyTimeoutMs: 0 });
	t.like(
		t.throws(() => takeLock(second)),
		{ code: 'ERR_SQLITE_QUERY', sqliteCode: 'SQLITE_BUSY' },
	);
	t.like(
		t.throws(() => second.prepare('SELECT pid FROM holder').all()),
		{ sqliteCode: 'SQLITE_BUSY' },
		'not even a read gets through',
	);
	first.close();
	takeLock(second);
	t.deepEqual(second.prepare('SELECT pid FROM holder').all(), [{ pid: process.pid }]);
});

eachBackend('a process killed by SIGKILL releases its exclusive lock', async (t, context) => {
	t.timeout(30_000);
	const path = join(await context.tempDir(), 'killed.db');
	const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, path, context.backend], {
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	t.teardown(() => child.kill('SIGKILL'));
	const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
	t.is(chunk.toString(), 'locked\n');

	const db = context.open(path, { busyTimeoutMs: 0 });
	t.like(
		t.throws(() => takeLock(db)),
		{ sqliteCode: 'SQLITE_BUSY' },
	);
	child.kill('SIGKILL');
	await once(child, 'exit');
	t.deepEqual(
		db.prepare('SELECT pid FROM holder').all(),
		[{ pid: child.pid }],
		'the holder’s row was committed',
	);
	takeLock(db);
	t.deepEqual(db.prepare('SELECT pid FROM holder').all(), [{ pid: process.pid }]);
});
