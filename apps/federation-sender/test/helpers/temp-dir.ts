/** A fresh temporary directory per test, removed afterwards. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';

export function tempDir(t: ExecutionContext): string {
	const dir = mkdtempSync(join(tmpdir(), 'fed-sender-'));
	t.teardown(() => rmSync(dir, { recursive: true, force: true }));
	return dir;
}
