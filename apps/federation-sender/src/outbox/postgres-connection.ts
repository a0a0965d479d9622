/**
 * PostgreSQL plumbing of the outbox: one-transaction helper, error mapping, schema migration and the run lock.
 */
import pg from 'pg';
import { FederationSenderError } from '../errors.js';
import { PG_LOCKS, PG_SCHEMA_V1, PG_SCHEMA_VERSION, PG_TABLE_PREFIX } from './postgres-schema.js';
import type { RunLock } from './types.js';

/** A query function bound to one connection inside a transaction. */
export type Query = (sql: string, params?: unknown[]) => Promise<pg.QueryResult>;

/** Maps a driver error to `ERR_DATABASE` (node-postgres messages name the server and user, never the password). */
export function wrap(error: unknown, what: string): FederationSenderError {
	if (error instanceof FederationSenderError) return error;
	return new FederationSenderError('ERR_DATABASE', `${what}: ${(error as Error).message}`, { cause: error });
}

/** Runs `body` in one database transaction on one pooled connection; rolls back on any error. */
export async function inTransaction<R>(pool: pg.Pool, body: (q: Query) => Promise<R>): Promise<R> {
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
		throw wrap(error, 'outbox database error');
	} finally {
		client.release();
	}
}

/** Creates schema version 1 when absent (under an advisory lock); refuses a newer schema. */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
	await inTransaction(pool, async (q) => {
		await q('SELECT pg_advisory_xact_lock($1, $2)', [...PG_LOCKS.migrate]);
		await q(PG_SCHEMA_V1);
		const row = (await q(`SELECT value FROM ${PG_TABLE_PREFIX}meta WHERE key = 'schema_version'`)).rows[0] as
			{ value: string } | undefined;
		const version = Number(row?.value ?? PG_SCHEMA_VERSION);
		if (version > PG_SCHEMA_VERSION) {
			throw new FederationSenderError(
				'ERR_DATABASE',
				`the outbox has schema version ${version}, newer than this program (${PG_SCHEMA_VERSION})`,
			);
		}
		await q(
			`INSERT INTO ${PG_TABLE_PREFIX}meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO NOTHING`,
			[String(PG_SCHEMA_VERSION)],
		);
	});
}

/** Takes the session-level advisory run lock on a dedicated connection, or throws `ERR_ALREADY_RUNNING`. */
export async function takePostgresRunLock(settings: pg.PoolConfig): Promise<RunLock> {
	const client = new pg.Client(settings);
	client.on('error', () => undefined);
	try {
		await client.connect();
		const result = await client.query('SELECT pg_try_advisory_lock($1, $2) AS ok', [...PG_LOCKS.run]);
		if ((result.rows[0] as { ok: boolean }).ok !== true) {
			throw new FederationSenderError(
				'ERR_ALREADY_RUNNING',
				'another federation-sender is already running on this PostgreSQL outbox',
			);
		}
	} catch (error) {
		await client.end().catch(() => undefined);
		throw wrap(error, 'cannot take the run lock');
	}
	return { release: () => client.end().catch(() => undefined) };
}
