import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { DATA_DIR_MARKER, prepareDataDir } from '../src/data-dir.js';

async function scratch(t: ExecutionContext): Promise<string> {
	const dir = await mkdtemp(join(tmpdir(), 'devnet-data-'));
	t.teardown(() => rm(dir, { recursive: true, force: true }));
	return dir;
}

test('a non-empty directory the devnet did not make is refused, and left untouched', async (t) => {
	const dir = await scratch(t);
	await writeFile(join(dir, 'precious.txt'), 'keep me');
	const error = await t.throwsAsync(prepareDataDir(dir));
	t.is((error as { code?: string }).code, 'ERR_DEVNET_START');
	t.deepEqual(await readdir(dir), ['precious.txt']);
});

test("the devnet's own directory from an earlier run is wiped and laid out again", async (t) => {
	const dir = await scratch(t);
	const first = await prepareDataDir(dir);
	await writeFile(join(first.logs, 'old.log'), 'old run');
	await writeFile(join(dir, 'federation-sender.db'), 'old outbox');
	const second = await prepareDataDir(dir);
	t.deepEqual((await readdir(dir)).sort(), [DATA_DIR_MARKER, 'items', 'logs']);
	t.deepEqual(await readdir(second.logs), []);
});

test('a missing directory is created', async (t) => {
	const dir = join(await scratch(t), 'nested', '.devnet');
	const layout = await prepareDataDir(dir);
	t.is(layout.configFile, join(dir, 'homeserver.yaml'));
	t.true((await readdir(dir)).includes(DATA_DIR_MARKER));
});
