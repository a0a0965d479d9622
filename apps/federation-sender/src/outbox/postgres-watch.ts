/**
 * Wake-up across processes on PostgreSQL: every `enqueue` runs `pg_notify(WAKE_CHANNEL, destination)` in its
 * transaction, which PostgreSQL delivers at commit to every session listening. A `run` keeps one dedicated
 * connection in `LISTEN`, so new work is seen within milliseconds instead of at the next poll. A lost
 * connection is re-established (with a rescan, `onChange(null)`, since notifications sent meanwhile are lost).
 */
import pg from 'pg';

/** The notification channel of the outbox. */
export const WAKE_CHANNEL = 'federation_sender_wake';

/**
 * The channel on which an instance says that leases changed hands (it joined, gave leases back or left); the
 * payload is its name. The others run their heartbeat at once instead of at its next period, so a destination
 * moves between instances in milliseconds rather than in up to two heartbeats.
 */
export const LEASE_CHANNEL = 'federation_sender_leases';

/** Wait before reconnecting a lost `LISTEN` connection. */
const RECONNECT_MS = 500;

/**
 * Listens until the returned function is called; `onChange(destination)` per wake-up notification,
 * `onLeases(instance)` per lease notification.
 */
export async function watchPostgres(
	settings: pg.PoolConfig,
	onChange: (destination: string | null) => void,
	onLeases?: (instance: string) => void,
): Promise<() => Promise<void>> {
	let stopped = false;
	let client: pg.Client | null = null;
	let retry: NodeJS.Timeout | null = null;
	const connect = async (): Promise<void> => {
		const next = new pg.Client(settings);
		next.on('notification', (message) => {
			if (message.channel === WAKE_CHANNEL) onChange(message.payload ?? null);
			else if (message.channel === LEASE_CHANNEL) onLeases?.(message.payload ?? '');
		});
		const lost = (): void => {
			if (stopped || client !== next) return;
			client = null;
			next.end().catch(() => undefined);
			retry = setTimeout(() => {
				retry = null;
				connect()
					.then(() => onChange(null))
					.catch(() => lost());
			}, RECONNECT_MS);
		};
		next.on('error', lost);
		next.on('end', lost);
		client = next;
		await next.connect();
		await next.query(`LISTEN ${WAKE_CHANNEL}`);
		if (onLeases !== undefined) await next.query(`LISTEN ${LEASE_CHANNEL}`);
	};
	await connect();
	return async () => {
		stopped = true;
		if (retry !== null) clearTimeout(retry);
		await client?.end().catch(() => undefined);
	};
}
