/**
 * Synapse's per-requester limit on remote media downloads (`remote_media_download_burst_count`,
 * `remote_media_download_per_second`): a leaky bucket of bytes per requester. Each download adds its size; the
 * bucket drains at the configured rate; a download starts only when 1 MiB (or the whole bucket, if smaller) is
 * free, like Synapse's `download_ratelimiter`. The requester is the client's IP address here (the service has
 * no access tokens).
 */

/** The room a download needs in the bucket to start. */
export const DOWNLOAD_START_BYTES = 1024 * 1024;

/** Drained buckets are dropped when they are read, and all at once when this many are kept. */
const PRUNE_AT = 10_000;

interface Level {
	bytes: number;
	at: number;
}

/** Leaky buckets of downloaded bytes by requester. */
export class DownloadRateLimit {
	readonly #burst: number;
	readonly #perSecond: number;
	readonly #levels = new Map<string, Level>();
	readonly #now: () => number;

	constructor(burstBytes: number, bytesPerSecond: number, now: () => number = Date.now) {
		if (!(burstBytes > 0) || !(bytesPerSecond > 0)) {
			throw new RangeError('burstBytes and bytesPerSecond must be more than 0');
		}
		this.#burst = burstBytes;
		this.#perSecond = bytesPerSecond;
		this.#now = now;
	}

	#level(requester: string): number {
		const level = this.#levels.get(requester);
		if (level === undefined) return 0;
		const now = this.#now();
		const drained = Math.max(0, level.bytes - ((now - level.at) * this.#perSecond) / 1000);
		if (drained === 0) {
			this.#levels.delete(requester);
		} else {
			level.bytes = drained;
			level.at = now;
		}
		return drained;
	}

	/** 0 when `requester` may start a download now, else the milliseconds until it may. */
	retryAfterMs(requester: string): number {
		const need = Math.min(DOWNLOAD_START_BYTES, this.#burst);
		const over = this.#level(requester) + need - this.#burst;
		return over <= 0 ? 0 : Math.ceil((over * 1000) / this.#perSecond);
	}

	/** Counts `bytes` downloaded for `requester`. */
	add(requester: string, bytes: number): void {
		const now = this.#now();
		if (this.#levels.size >= PRUNE_AT) {
			for (const [key, level] of this.#levels) {
				if (level.bytes - ((now - level.at) * this.#perSecond) / 1000 <= 0) this.#levels.delete(key);
			}
		}
		this.#levels.set(requester, { bytes: this.#level(requester) + bytes, at: now });
	}
}
