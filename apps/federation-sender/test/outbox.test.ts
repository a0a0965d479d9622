import { join } from 'node:path';
import test from 'ava';
import { openSqliteOutbox } from '../src/outbox/sqlite-outbox.js';
import type { OutboxStore } from '../src/outbox/types.js';
import { outboxContract } from './helpers/outbox-contract.js';
import { tempDir } from './helpers/temp-dir.js';

outboxContract('sqlite', (t) => {
	const path = join(tempDir(t), 'outbox.db');
	return Promise.resolve(() => {
		const store: OutboxStore = openSqliteOutbox(path);
		t.teardown(() => store.close());
		return Promise.resolve(store);
	});
});

test('status of a missing outbox is an error, not a new empty database', (t) => {
	const path = join(tempDir(t), 'absent.db');
	t.throws(() => openSqliteOutbox(path, { mustExist: true }), { code: 'ERR_OUTBOX_MISSING' } as never);
});

test('a second run on the same SQLite outbox is refused while the first holds the run lock', async (t) => {
	const path = join(tempDir(t), 'outbox.db');
	const one = openSqliteOutbox(path);
	const two = openSqliteOutbox(path);
	const lock = await one.acquireRunLock();
	await t.throwsAsync(two.acquireRunLock(), { code: 'ERR_ALREADY_RUNNING' } as never);
	await lock.release();
	const again = await two.acquireRunLock();
	await again.release();
	await one.close();
	await two.close();
});
