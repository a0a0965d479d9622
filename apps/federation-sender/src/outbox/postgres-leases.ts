/**
 * Destination leases in PostgreSQL (docs/architecture.md 5): several `run` instances share one outbox, each
 * destination leased to one live instance at a time. Every time is the database's clock (`clock_timestamp()`
 * in ms), so the instances' clocks never have to agree. An instance that dies stops heart-beating; its leases
 * expire `ttlMs` after its last heartbeat and a live instance claims them.
 */
import type pg from 'pg';
import { PG_TABLE_PREFIX } from './postgres-schema.js';
import { inTransaction } from './postgres-connection.js';
import { LEASE_CHANNEL } from './postgres-watch.js';
import type { Heartbeat, LeaseTable } from './types.js';

const T = PG_TABLE_PREFIX;
/** The database's clock in milliseconds since the epoch. */
const NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/** How many TTLs an instance row outlives its last heartbeat before it is removed (`status` history). */
const INSTANCE_ROW_TTLS = 30;

/** {@link LeaseTable} on the outbox's pool. */
export class PostgresLeases implements LeaseTable {
	readonly #pool: pg.Pool;

	constructor(pool: pg.Pool) {
		this.#pool = pool;
	}

	heartbeat(instance: string, ttlMs: number): Promise<Heartbeat> {
		return inTransaction(this.#pool, async (q) => {
			const joined = (
				await q(
					`INSERT INTO ${T}instances (name, started_ts, heartbeat_ts) VALUES ($1, ${NOW}, ${NOW})
					 ON CONFLICT (name) DO UPDATE SET heartbeat_ts = excluded.heartbeat_ts RETURNING (xmax = 0) AS joined`,
					[instance],
				)
			).rows[0] as { joined: boolean };
			// A newcomer: the holders of what it now owns give it back at once (LEASE_CHANNEL).
			if (joined.joined) await q(NOTIFY_LEASES, [instance]);
			const held = (
				await q(`UPDATE ${T}leases SET expires_ts = ${NOW} + $2 WHERE instance = $1 RETURNING destination`, [
					instance,
					ttlMs,
				])
			).rows as { destination: string }[];
			const live = (
				await q(`SELECT name FROM ${T}instances WHERE heartbeat_ts > ${NOW} - $1 ORDER BY name`, [ttlMs])
			).rows as { name: string }[];
			await q(`DELETE FROM ${T}instances WHERE heartbeat_ts < ${NOW} - $1`, [ttlMs * INSTANCE_ROW_TTLS]);
			return {
				live: live.map((row) => row.name),
				held: held.map((row) => row.destination).sort(),
			};
		});
	}

	async claim(instance: string, destinations: readonly string[], ttlMs: number): Promise<string[]> {
		if (destinations.length === 0) return [];
		// Sorted, so that two instances claiming overlapping sets lock the rows in the same order.
		const sorted = [...new Set(destinations)].sort();
		const rows = (
			await inTransaction(this.#pool, (q) =>
				q(
					`INSERT INTO ${T}leases (destination, instance, expires_ts)
					 SELECT d, $2, ${NOW} + $3 FROM unnest($1::text[]) AS d ORDER BY d
					 ON CONFLICT (destination) DO UPDATE SET instance = excluded.instance, expires_ts = excluded.expires_ts
					 WHERE ${T}leases.instance = excluded.instance OR ${T}leases.expires_ts < ${NOW}
					 RETURNING destination`,
					[sorted, instance, ttlMs],
				),
			)
		).rows as { destination: string }[];
		return rows.map((row) => row.destination);
	}

	async release(instance: string, destinations: readonly string[]): Promise<void> {
		if (destinations.length === 0) return;
		await inTransaction(this.#pool, async (q) => {
			await q(`DELETE FROM ${T}leases WHERE instance = $1 AND destination = ANY($2::text[])`, [
				instance,
				[...destinations],
			]);
			await q(NOTIFY_LEASES, [instance]);
		});
	}

	async leave(instance: string): Promise<void> {
		await inTransaction(this.#pool, async (q) => {
			await q(`DELETE FROM ${T}leases WHERE instance = $1`, [instance]);
			await q(`DELETE FROM ${T}instances WHERE name = $1`, [instance]);
			await q(NOTIFY_LEASES, [instance]);
		});
	}
}

/** Tells the other instances, at commit, that leases changed hands (see `LEASE_CHANNEL`). */
const NOTIFY_LEASES = `SELECT pg_notify('${LEASE_CHANNEL}', $1)`;

/** Whether `instance` holds `destination`'s unexpired lease (inside a transaction that then builds work). */
export const LEASE_HELD_SQL = `SELECT 1 FROM ${T}leases WHERE destination = $1 AND instance = $2 AND expires_ts > ${NOW}`;

/** The lease rows for `status`. */
export const LEASE_STATUS_SQL = `SELECT destination, instance, expires_ts FROM ${T}leases WHERE expires_ts > ${NOW}`;
