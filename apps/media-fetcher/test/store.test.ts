import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { isMediaFetcherError, mediaRef, storeLayout } from '../src/index.js';
import { cleanTempFiles } from '../src/store/atomic-file.js';
import { MediaStore } from '../src/store/media-store.js';
import { tempStore } from './helpers/store.js';

const ref = mediaRef('remote.example:8448', 'AbC_-123');

test('a stored file has its bytes, size, sha256, type and name, and is found again', async (t) => {
	const { store } = await tempStore(t);
	const bytes = Buffer.from('hello media');
	const saved = await store.save(
		ref,
		{ contentType: 'text/plain', fileName: 'a.txt', body: [bytes] },
		{ maxBytes: 100 },
	);
	t.is(saved.size, bytes.length);
	t.is(saved.sha256, createHash('sha256').update(bytes).digest('hex'));
	t.true((await readFile(saved.path)).equals(bytes));
	const found = await store.lookup(ref);
	t.like(found, {
		contentType: 'text/plain',
		fileName: 'a.txt',
		size: bytes.length,
		serverName: ref.serverName,
		mediaId: ref.mediaId,
	});
});

test('no partial file is visible while writing, nor after the source fails midway', async (t) => {
	const { root, store } = await tempStore(t);
	const finalPath = storeLayout(root).fileFor(ref);
	const seen: boolean[] = [];
	async function* failing(): AsyncGenerator<Buffer> {
		yield Buffer.alloc(1000, 1);
		await new Promise((resolve) => setImmediate(resolve));
		seen.push(existsSync(finalPath), (await store.lookup(ref)) !== undefined);
		yield Buffer.alloc(1000, 2);
		throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
	}
	const error = await t.throwsAsync(
		store.save(ref, { contentType: 'x/y', fileName: null, body: failing() }, { maxBytes: 1e6 }),
	);
	t.is((error as NodeJS.ErrnoException).code, 'ECONNRESET');
	t.deepEqual(seen, [false, false]);
	t.false(existsSync(finalPath));
	t.deepEqual(await readdir(join(root, 'tmp')), []);
	t.is(await store.lookup(ref), undefined);
});

test('a stream larger than max_upload_size fails with ERR_MEDIA_TOO_LARGE and stops reading', async (t) => {
	const { root, store } = await tempStore(t);
	let pulled = 0;
	function* endless(): Generator<Buffer> {
		for (;;) {
			pulled++;
			yield Buffer.alloc(1024);
		}
	}
	const error = await t.throwsAsync(
		store.save(ref, { contentType: 'x/y', fileName: null, body: endless() }, { maxBytes: 10 * 1024 }),
	);
	t.true(isMediaFetcherError(error, 'ERR_MEDIA_TOO_LARGE'));
	t.is(pulled, 11);
	t.deepEqual(await readdir(join(root, 'tmp')), []);
});

test('a file of exactly max_upload_size bytes is accepted', async (t) => {
	const { store } = await tempStore(t);
	const saved = await store.save(
		ref,
		{ contentType: 'x/y', fileName: null, body: [Buffer.alloc(4096)] },
		{ maxBytes: 4096 },
	);
	t.is(saved.size, 4096);
});

test('a record whose file went missing is a miss, not an error', async (t) => {
	const { store } = await tempStore(t);
	const saved = await store.save(
		ref,
		{ contentType: 'x/y', fileName: null, body: [Buffer.from('x')] },
		{ maxBytes: 10 },
	);
	await rm(saved.path);
	t.is(await store.lookup(ref), undefined);
});

test('paths are hashes under the root, whatever the server name and media ID', (t) => {
	const layout = storeLayout('/store');
	const path = layout.fileFor({ serverName: '[::1]:8448', mediaId: '..' });
	t.regex(path, /^\/store\/remote\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
	t.not(layout.fileFor({ serverName: 'a', mediaId: 'B' }), layout.fileFor({ serverName: 'a', mediaId: 'b' }));
});

test('start-up removes temporary files of dead writers and of this process, keeps live writers’ ones', async (t) => {
	const { root } = await tempStore(t);
	const tmp = join(root, 'tmp');
	const dead = spawnSync(process.execPath, ['-e', '0']).pid;
	await writeFile(join(tmp, `${dead}-crashed.part`), 'partial');
	await writeFile(join(tmp, `${process.pid}-restarted.part`), 'partial');
	await writeFile(join(tmp, 'unnamed'), 'x');
	await writeFile(join(tmp, `${process.ppid}-live.part`), 'in progress');
	t.is(await cleanTempFiles(tmp), 3);
	t.deepEqual(await readdir(tmp), [`${process.ppid}-live.part`]);

	await writeFile(join(tmp, `${dead}-again.part`), 'partial');
	const reopened = await MediaStore.open({ root, databasePath: join(root, 'other.db') });
	t.is(reopened.cleanedTempFiles, 1);
	reopened.close();
});

test('a writer killed mid-file leaves no visible file, and the next start-up removes its leftover', async (t) => {
	const { root } = await tempStore(t);
	const child = spawn(
		process.execPath,
		['--import=tsx', join(import.meta.dirname, 'fixtures/slow-writer.ts'), root],
		{
			stdio: ['ignore', 'pipe', 'inherit'],
		},
	);
	const killed = new Promise((resolve) => child.once('exit', resolve));
	child.stdout.once('data', () => child.kill('SIGKILL'));
	await killed;
	const crashRef = mediaRef('remote.example', 'crash');
	t.false(existsSync(storeLayout(root).fileFor(crashRef)));
	t.is((await readdir(join(root, 'tmp'))).length, 1);
	const reopened = await MediaStore.open({ root, databasePath: join(root, 'media.db') });
	t.teardown(() => reopened.close());
	t.is(reopened.cleanedTempFiles, 1);
	t.is(await reopened.lookup(crashRef), undefined);
});
