import test from 'ava';
import { openSqliteOutbox } from '../src/outbox/sqlite-outbox.js';
import type { Heartbeat, LeaseTable, OutboxStore } from '../src/outbox/types.js';
import { harness } from './helpers/worker.js';
import { settle } from './helpers/manual-clock.js';

/** A lease table for one instance that counts heartbeats. */
class CountingLeases implements LeaseTable {
	beats = 0;
	heartbeat(instance: string): Promise<Heartbeat> {
		this.beats++;
		return Promise.resolve({ live: [instance], held: [] });
	}
	claim(_instance: string, destinations: readonly string[]): Promise<string[]> {
		return Promise.resolve([...destinations]);
	}
	release(): Promise<void> {
		return Promise.resolve();
	}
	leave(): Promise<void> {
		return Promise.resolve();
	}
}

/** The SQLite outbox seen as a shared one: `leases`, and a watch that reports lease changes on demand. */
function sharedOutbox(leases: LeaseTable): { store: OutboxStore; announce: (instance: string) => void } {
	const inner = openSqliteOutbox(':memory:');
	let onLeases: ((instance: string) => void) | undefined;
	const store = new Proxy(inner, {
		get(target, property) {
			if (property === 'leases') return leases;
			if (property === 'watchChanges') {
				return (
					onChange: (destination: string | null) => void,
					leaseChanged?: (instance: string) => void,
				) => {
					onLeases = leaseChanged;
					// Another instance joins while this one is starting.
					leaseChanged?.('other');
					return target.watchChanges(onChange);
				};
			}
			const value: unknown = Reflect.get(target, property, target);
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
		},
	}) as OutboxStore;
	return { store, announce: (instance) => onLeases?.(instance) };
}

test('a lease change heard while starting leaves one heartbeat timer, and none after stop', async (t) => {
	const leases = new CountingLeases();
	const { store, announce } = sharedOutbox(leases);
	const { worker, clock } = harness(t, {
		store,
		leases: { table: leases, instance: 'me', ttlMs: 3_600_000 },
		pollIntervalMs: 3_600_000,
	});
	await worker.start();
	await settle();
	const heartbeatDue = clock.now() + 1_200_000;
	t.is(clock.pending.filter((due) => due === heartbeatDue).length, 1, 'one heartbeat timer');
	t.true(leases.beats >= 2, 'the lease change was answered by a heartbeat at once');
	const before = leases.beats;
	announce('me');
	await settle();
	t.is(leases.beats, before, 'its own announcements are ignored');
	announce('other');
	await settle();
	t.is(leases.beats, before + 1, 'another instance’s announcement runs one heartbeat');
	await worker.stop();
	t.deepEqual(clock.pending, [], 'no timer outlives stop');
});
