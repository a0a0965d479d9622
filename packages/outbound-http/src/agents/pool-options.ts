/** Connection-pool settings shared by every agent we create. */
export interface PoolOptions {
	/** Idle keep-alive sockets are closed after this many milliseconds. */
	readonly idleSocketMs: number;
	/** At most this many idle sockets are kept per destination (per proxy for forward requests). */
	readonly maxFreeSockets: number;
	/** At most this many sockets per destination; more requests wait for one. */
	readonly maxSockets: number;
	/**
	 * At most this many idle sockets per agent across all destinations: above it the least recently used idle
	 * socket is closed, so thousands of destinations seen once do not each keep a socket open until it expires.
	 */
	readonly maxIdleSockets: number;
}

/**
 * Defaults: keep-alive, idle sockets closed after 30 s, up to 64 idle sockets per destination (a burst's sockets
 * stay for the next burst instead of being reopened: each tunnel costs a CONNECT and a TLS handshake), and at most
 * 1,024 idle sockets per agent in total: enough for a federation sender to keep one tunnel to each of a thousand
 * destinations it serves in turn (with an LRU cap below that, round-robin traffic evicts every tunnel before its
 * reuse), while ten thousand destinations seen once still leave at most 1,024 sockets open.
 */
export const DEFAULT_POOL_OPTIONS: PoolOptions = {
	idleSocketMs: 30_000,
	maxFreeSockets: 64,
	maxSockets: 64,
	maxIdleSockets: 1024,
};

/**
 * The agent options for a pool: keep-alive on, LIFO reuse so surplus idle sockets expire; `maxIdleSockets` is read
 * by our pooled agents (see `capIdleSockets`), not by Node.
 */
export function agentOptions(pool: PoolOptions): {
	keepAlive: true;
	timeout: number;
	maxFreeSockets: number;
	maxSockets: number;
	scheduling: 'lifo';
	maxIdleSockets: number;
} {
	return {
		keepAlive: true,
		timeout: pool.idleSocketMs,
		maxFreeSockets: pool.maxFreeSockets,
		maxSockets: pool.maxSockets,
		scheduling: 'lifo',
		maxIdleSockets: pool.maxIdleSockets,
	};
}
