/**
 * A private temporary directory per scenario (CA files, Squid's files), removed by the clean-up.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cleanup } from './cleanup.js';

/** Creates `/tmp/homeserver-bench-XXXXXX` and registers its removal. */
export async function tempDir(cleanup: Cleanup): Promise<string> {
	const dir = await mkdtemp(join(tmpdir(), 'homeserver-bench-'));
	return cleanup.defer(dir, (d) => rm(d, { recursive: true, force: true }));
}
