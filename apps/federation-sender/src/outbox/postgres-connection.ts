/**
 * PostgreSQL plumbing of the outbox: one-transaction helper, error mapping, schema migration and the run lock.
 */
import pg from 'pg';
import { FederationSenderError } from '../errors.js';
import {
	PG_LOCKS,
	PG_SCHEMA_V1,
	PG_SCHEMA_V2,
	PG_SCHEMA_V3,
	PG_SCHEMA_V4,
	PG_SCHEMA_VERSION,
	PG_TABLE_PREFIX,
} from './postgres-schema.js';
import type { RunLock } from './types.js';

/** A query function bound to one connection inside a transaction. */
export type Query = (sql: string, params?: unknown[]) => Promise<pg.QueryResult>;

/** Maps a driver error to `ERR_DATABASE` (node-postgres messages name the server and user, never the password). */
export function wrap(error: unknown, what: string): FederationSenderError {
	if (error instanceof FederationSenderError) return error;
	return new FederationSenderError('ERR_DATABASE', `${what}: ${(error as Error).message}`, { cause: error });
}

/** SQLSTATEs of a transaction that lost a race and may simply be run again. */
const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected

/** How many times a transaction that lost a race is run again before the error is surfaced. */
export const MAX_TRANSACTION_RETRIES = 8;

/** Whether `error` is a serialization failure or a detected deadlock (safe to run the transaction again). */
export function isRetryable(error: unknown): boolean {
	const code = (error as { code?: unknown } | null)?.code;
	return typeof code === 'string' && RETRYABLE.has(code);
}

/**
 * Runs `body` in one database transaction on one pooled connection; rolls back on any error. The commit is
 * durable (PostgreSQL's default `synchronous_commit`: COMMIT returns after its WAL flush), so what it stored
 * survives a crash. A serialization failure or deadlock is retried here (with a short random pause), never
 * surfaced to the caller unless it keeps happening {@link MAX_TRANSACTION_RETRIES} times.
 */
export async function inTransaction<R>(pool: pg.Pool, body: (q: Query) => Promise<R>): Promise<R> {
	for (let attempt = 0; ; attempt++) {
		let client: pg.PoolClient;
		try {
			client = await pool.connect();
		} catch (error) {
			throw wrap(error, 'cannot reach the outbox database');
		}
		try {
			await client.query('BEGIN');
			const result = await body((sql, params) => client.query(sql, params));
			await client.query('COMMIT');
			return result;
		} catch (error) {
			await client.query('ROLLBACK').catch(() => undefined);
			if (!isRetryable(error) || attempt >= MAX_TRANSACTION_RETRIES)
				throw wrap(error, 'outbox database error');
		} finally {
			client.release();
		}
		await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
	}
}

/** The stored schema version, read without any lock (0 when the outbox tables do not exist yet). */
export function schemaVersion(pool: pg.Pool): Promise<number> {
	return inTransaction(pool, async (q) => {
		const table = await q(`SELECT to_regclass('${PG_TABLE_PREFIX}meta') IS NOT NULL AS present`);
		if ((table.rows[0] as { present: boolean }).present !== true) return 0;
		const row = (await q(`SELECT value FROM ${PG_TABLE_PREFIX}meta WHERE key = 'schema_version'`)).rows[0] as
			{ value: string } | undefined;
		return Number(row?.value ?? 1);
	});
}

/**
 * Brings the schema to {@link PG_SCHEMA_VERSION}. The common case, an outbox already up to date, is one
 * lock-free read of the version row, so opening an outbox (every `enqueue`, every producer) never takes the
 * table locks of DDL that could deadlock with a running worker. Only when the version is older is the DDL run,
 * under an advisory lock, and the version checked again inside it. A newer schema is refused.
 */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
	const found = await schemaVersion(pool);
	if (found === PG_SCHEMA_VERSION) return;
	if (found > PG_SCHEMA_VERSION) throw newerSchema(found);
	await inTransaction(pool, async (q) => {
		await q('SELECT pg_advisory_xact_lock($1, $2)', [...PG_LOCKS.migrate]);
		await q(PG_SCHEMA_V1);
		const row = (await q(`SELECT value FROM ${PG_TABLE_PREFIX}meta WHERE key = 'schema_version'`)).rows[0] as
			{ value: string } | undefined;
		const version = Number(row?.value ?? 1);
		if (version > PG_SCHEMA_VERSION) throw newerSchema(version);
		if (version === PG_SCHEMA_VERSION) return;
		if (version < 2) await q(PG_SCHEMA_V2);
		if (version < 3) await q(PG_SCHEMA_V3);
		if (version < 4) await q(PG_SCHEMA_V4);
		await q(
			`INSERT INTO ${PG_TABLE_PREFIX}meta (key, value) VALUES ('schema_version', $1)
			 ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
			[String(PG_SCHEMA_VERSION)],
		);
	});
}

function newerSchema(version: number): FederationSenderError {
	return new FederationSenderError(
		'ERR_DATABASE',
		`the outbox has schema version ${version}, newer than this program (${PG_SCHEMA_VERSION})`,
	);
}

/** Takes the session-level advisory run lock on a dedicated connection, or throws `ERR_ALREADY_RUNNING`. */
export async function takePostgresRunLock(settings: pg.PoolConfig, instance: string): Promise<RunLock> {
	const client = new pg.Client(settings);
	client.on('error', () => undefined);
	try {
		await client.connect();
		const result = await client.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [
			PG_LOCKS.run[0],
			instance,
		]);
		if ((result.rows[0] as { ok: boolean }).ok !== true) {
			throw new FederationSenderError(
				'ERR_ALREADY_RUNNING',
				`another federation-sender is already running on this PostgreSQL outbox as instance ${JSON.stringify(instance)}`,
			);
		}
	} catch (error) {
		await client.end().catch(() => undefined);
		throw wrap(error, 'cannot take the run lock');
	}
	return { release: () => client.end().catch(() => undefined) };
}
