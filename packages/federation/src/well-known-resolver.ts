import { raceAbort, timeoutSignal } from './abort.js';
import { cachePeriodFromHeaders } from './cache-period.js';
import { describeInput } from './errors.js';
import type { HttpHeaders } from './headers.js';
import { parseJson } from './parse-json.js';
import { formatServerName, parseServerName } from './server-name.js';
import { TtlCache } from './ttl-cache.js';

/** `.well-known/matrix/server` bodies above this size (50 KiB, as Synapse) mean "no delegation". */
export const WELL_KNOWN_MAX_BYTES = 50 * 1024;

/** Synapse's cache periods, in seconds. */
const DEFAULT_PERIOD = 24 * 3600;
const JITTER = 0.1;
const INVALID_PERIOD = 3600;
const DOWN_PERIOD = 120;
const REMEMBER_HAD_VALID = 2 * 3600;
const MIN_PERIOD = 5 * 60;
const MAX_PERIOD = 48 * 3600;
/** Refetch once this fraction of the TTL is left. */
const GRACE_FACTOR = 0.2;
const RETRY_ATTEMPTS = 3;
const RETRY_DELAY_MS = 500;
/**
 * The whole `.well-known` lookup (every attempt, redirects, body) gets this long (default of `timeoutMs`). The
 * answer is a few bytes: a remote that takes longer is slow or hostile, and counts as "no delegation" (cached as a
 * temporary failure, as Synapse does for a failed fetch).
 */
export const WELL_KNOWN_TIMEOUT_MS = 10_000;

/** The marker reason of the lookup's own timer. */
class WellKnownTimeout extends Error {}

/** The final answer to `GET https://<server>/.well-known/matrix/server`, after redirects. */
export interface WellKnownResponse {
	readonly status: number;
	readonly headers: HttpHeaders;
	readonly body: Uint8Array;
}

/**
 * Fetches `https://<serverName>/.well-known/matrix/server` (purpose `federation`, so through the proxy when one
 * is set), following redirects, and resolves with the final response. It should stop reading at `maxBytes`
 * (rejecting with an error whose `code` is `ERR_RESPONSE_TOO_LARGE`, or returning a longer body); it rejects on
 * connection or TLS failures. Injected so that resolution depends on no HTTP library.
 */
export type WellKnownFetcher = (
	serverName: string,
	options: {
		readonly maxBytes: number;
		/** Aborted when the lookup's time is up: cancel the request (the resolver stops waiting anyway). */
		readonly signal?: AbortSignal;
	},
) => Promise<WellKnownResponse>;

/** The outcome of a `.well-known` lookup. */
export interface WellKnownResult {
	/** The delegated server name (normal form: IDNA, lower case), or null for no delegation. */
	readonly delegatedServer: string | null;
	/** What happened, for the resolution steps. */
	readonly detail: string;
}

/** Dependencies of {@link WellKnownResolver}. */
export interface WellKnownResolverOptions {
	readonly fetch: WellKnownFetcher;
	/** Clock in milliseconds. */
	readonly now: () => number;
	/** Uniform random number in [0, 1). */
	readonly random: () => number;
	readonly sleep: (ms: number) => Promise<void>;
	/** Cache size bound (oldest entries are dropped first). */
	readonly maxEntries: number;
	/** Budget of one lookup, all attempts included (default {@link WELL_KNOWN_TIMEOUT_MS}). */
	readonly timeoutMs?: number;
}

/** Why a fetch gave no usable answer; temporary failures may keep a still-valid cached delegation. */
class FetchFailure extends Error {
	constructor(
		readonly temporary: boolean,
		readonly reason: string,
	) {
		super(reason);
	}
}

/**
 * `.well-known/matrix/server` lookups with Synapse's caching (`well_known_resolver.py`): a delegation is cached
 * by its `Cache-Control`/`Expires` headers clamped to [5 min, 48 h], or 24 h ±10 % without them; a failure for
 * 1 h ±10 %, or 2 min ±10 % when the server had a valid answer recently (its TTL + 2 h). Entries are refetched
 * once 80 % of their TTL has passed; if that refetch fails temporarily (connection error, 5xx, body over
 * 50 KiB), the cached delegation is kept. Temporary failures are retried (3 attempts, 500 ms apart) only for
 * servers that recently had a valid answer. Concurrent lookups of one name share one fetch. A lookup has an overall
 * budget (`timeoutMs`, default 10 s) over its attempts, redirects and body: when it runs out the fetch is cancelled
 * and the lookup ends as a temporary failure, whoever is waiting.
 */
export class WellKnownResolver {
	readonly #options: WellKnownResolverOptions;
	readonly #cache: TtlCache<string | null>;
	/** Servers that had a valid answer recently (its TTL + 2 h): their failures are retried and cached briefly. */
	readonly #hadValid: TtlCache<true>;
	readonly #inFlight = new Map<string, Promise<WellKnownResult>>();

	constructor(options: WellKnownResolverOptions) {
		this.#options = options;
		this.#cache = new TtlCache(options.maxEntries);
		this.#hadValid = new TtlCache(options.maxEntries);
	}

	/** The delegation of `host` (an IDNA ASCII DNS name without port). */
	async lookup(host: string): Promise<WellKnownResult> {
		const now = this.#options.now();
		const entry = this.#cache.get(host, now);
		if (entry !== undefined && now < entry.expiresAt - GRACE_FACTOR * entry.ttlMs) {
			const seconds = Math.round((entry.expiresAt - now) / 1000);
			return {
				delegatedServer: entry.value,
				detail: `.well-known: ${describe(entry.value)} (cached, ${seconds} s left)`,
			};
		}
		const running = this.#inFlight.get(host);
		if (running !== undefined) {
			return running;
		}
		const promise = this.#refresh(host, entry?.value ?? null).finally(() => this.#inFlight.delete(host));
		this.#inFlight.set(host, promise);
		return promise;
	}

	/** Whether a lookup of `host` now would be answered from the cache (no fetch). */
	isFresh(host: string): boolean {
		const now = this.#options.now();
		const entry = this.#cache.get(host, now);
		return entry !== undefined && now < entry.expiresAt - GRACE_FACTOR * entry.ttlMs;
	}

	/** Forgets every cached answer. */
	clear(): void {
		this.#cache.clear();
		this.#hadValid.clear();
	}

	async #refresh(host: string, previous: string | null): Promise<WellKnownResult> {
		const url = `https://${host}/.well-known/matrix/server`;
		const hadValid = this.#hadValid.get(host, this.#options.now()) !== undefined;
		let result: string | null;
		let period: number;
		let detail: string;
		const timeoutMs = this.#options.timeoutMs ?? WELL_KNOWN_TIMEOUT_MS;
		const budget = timeoutSignal(timeoutMs, () => new WellKnownTimeout(`no answer within ${timeoutMs} ms`));
		try {
			const response = await this.#request(host, hadValid, budget.signal);
			result = parseDelegation(response);
			const fromHeaders = cachePeriodFromHeaders(response.headers, this.#options.now());
			period =
				fromHeaders === undefined
					? DEFAULT_PERIOD * this.#jitter()
					: Math.min(MAX_PERIOD, Math.max(MIN_PERIOD, fromHeaders));
			this.#hadValid.set(host, true, (period + REMEMBER_HAD_VALID) * 1000, this.#options.now());
			detail = `.well-known ${url}: HTTP 200, m.server ${JSON.stringify(result)}`;
		} catch (error) {
			if (!(error instanceof FetchFailure)) throw error;
			if (previous !== null && error.temporary) {
				return {
					delegatedServer: previous,
					detail: `.well-known ${url}: ${error.reason}; keeping the cached delegation to ${JSON.stringify(previous)}`,
				};
			}
			result = null;
			period = (hadValid ? DOWN_PERIOD : INVALID_PERIOD) * this.#jitter();
			detail = `.well-known ${url}: ${error.reason}: no delegation`;
		} finally {
			budget.clear();
		}
		this.#cache.set(host, result, period * 1000, this.#options.now());
		return { delegatedServer: result, detail: `${detail} (cached ${Math.round(period)} s)` };
	}

	/** The response, or a FetchFailure: temporary for errors, 5xx (after retries) and oversize bodies. */
	async #request(host: string, retry: boolean, signal: AbortSignal): Promise<WellKnownResponse> {
		for (let attempt = 1; ; attempt++) {
			let reason: string;
			try {
				const fetched = this.#options.fetch(host, { maxBytes: WELL_KNOWN_MAX_BYTES, signal });
				const response = await raceAbort(fetched, signal);
				if (response.body.byteLength > WELL_KNOWN_MAX_BYTES) {
					throw new FetchFailure(true, `body larger than ${WELL_KNOWN_MAX_BYTES} bytes`);
				}
				if (response.status < 500 || response.status > 599) {
					return response;
				}
				reason = `HTTP ${response.status}`;
			} catch (error) {
				if (error instanceof FetchFailure) throw error;
				if (signal.aborted) {
					const why = (signal.reason as Error).message;
					throw new FetchFailure(true, attempt > 1 ? `${why} (${attempt} attempts)` : why);
				}
				if ((error as { code?: unknown } | null)?.code === 'ERR_RESPONSE_TOO_LARGE') {
					throw new FetchFailure(true, `body larger than ${WELL_KNOWN_MAX_BYTES} bytes`);
				}
				reason = errorReason(error);
			}
			if (!retry || attempt >= RETRY_ATTEMPTS) {
				throw new FetchFailure(true, attempt > 1 ? `${reason} (after ${attempt} attempts)` : reason);
			}
			await raceAbort(this.#options.sleep(RETRY_DELAY_MS), signal).catch(() => undefined);
			if (signal.aborted) throw new FetchFailure(true, `${reason} (${attempt} attempts; out of time)`);
		}
	}

	#jitter(): number {
		return 1 - JITTER + 2 * JITTER * this.#options.random();
	}
}

/** The normalised `m.server` of a final response, or a permanent FetchFailure. */
function parseDelegation(response: WellKnownResponse): string {
	if (response.status !== 200) {
		throw new FetchFailure(false, `HTTP ${response.status}`);
	}
	let body: unknown;
	try {
		body = parseJson(new TextDecoder('utf-8', { fatal: true }).decode(response.body));
	} catch {
		throw new FetchFailure(false, 'body is not JSON');
	}
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		throw new FetchFailure(false, 'body is not a JSON object');
	}
	const server = (body as Record<string, unknown>)['m.server'];
	if (typeof server !== 'string') {
		throw new FetchFailure(false, 'no "m.server" string');
	}
	try {
		return formatServerName(parseServerName(server));
	} catch {
		throw new FetchFailure(false, `m.server ${describeInput(server, 60)} is not a valid server name`);
	}
}

function describe(result: string | null): string {
	return result === null ? 'no delegation' : `delegation to ${JSON.stringify(result)}`;
}

function errorReason(error: unknown): string {
	const code = (error as { code?: unknown } | null)?.code;
	if (typeof code === 'string') return code;
	const message = error instanceof Error ? error.message : String(error);
	return describeInput(message, 120);
}
