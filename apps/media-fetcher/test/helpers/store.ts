import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { pino } from 'pino';
import { MediaStore } from '../../src/store/media-store.js';

/** A fresh store in a temporary directory, removed when the test ends. */
export async function tempStore(t: ExecutionContext): Promise<{ root: string; store: MediaStore }> {
	const root = await mkdtemp(join(tmpdir(), 'media-fetcher-test-'));
	const store = await MediaStore.open({ root, databasePath: join(root, 'media.db') });
	t.teardown(async () => {
		store.close();
		await rm(root, { recursive: true, force: true });
	});
	return { root, store };
}

/** A logger that writes nothing. */
export const silentLogger = pino({ level: 'silent' });
