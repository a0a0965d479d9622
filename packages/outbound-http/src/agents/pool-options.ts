/** Connection-pool settings shared by every agent we create. */
export interface PoolOptions {
	/** Idle keep-alive sockets are closed after this many milliseconds. */
	readonly idleSocketMs: number;
	/** At most this many idle sockets are kept per destination (per proxy for forward requests). */
	readonly maxFreeSockets: number;
	/** At most this many sockets per destination; more requests wait for one. */
	readonly maxSockets: number;
}

/** Defaults: keep-alive, idle sockets closed after 30 s, a few idle sockets per destination. */
export const DEFAULT_POOL_OPTIONS: PoolOptions = { idleSocketMs: 30_000, maxFreeSockets: 8, maxSockets: 64 };

/** The Node agent options for a pool: keep-alive on, LIFO reuse so surplus idle sockets expire. */
export function agentOptions(pool: PoolOptions): {
	keepAlive: true;
	timeout: number;
	maxFreeSockets: number;
	maxSockets: number;
	scheduling: 'lifo';
} {
	return {
		keepAlive: true,
		timeout: pool.idleSocketMs,
		maxFreeSockets: pool.maxFreeSockets,
		maxSockets: pool.maxSockets,
		scheduling: 'lifo',
	};
}
