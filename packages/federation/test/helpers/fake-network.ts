import { createServerResolver } from '../../src/index.js';
import type { ServerResolver, SrvRecord, WellKnownResponse } from '../../src/index.js';

/** What a fake `.well-known` answers: a response, or an error to throw (with a `code`). */
export type WellKnownAnswer = WellKnownResponse | { readonly error: string };
/** What the fake DNS answers for one SRV name: records, or an error code. */
export type SrvAnswer = readonly SrvRecord[] | { readonly error: string };

/** A `.well-known` 200 answer with the given JSON (or raw text) body and headers. */
export function wellKnown(
	body: unknown,
	headers: Record<string, string> = {},
	status = 200,
): WellKnownResponse {
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	return { status, headers, body: Buffer.from(text) };
}

/** An SRV record. */
export function srv(name: string, port: number, priority = 0, weight = 0, ttl?: number): SrvRecord {
	return ttl === undefined ? { name, port, priority, weight } : { name, port, priority, weight, ttl };
}

/**
 * A resolver wired to an in-memory network: `.well-known` answers and SRV records per name, a clock that only
 * moves when told (or when the resolver sleeps), and a fixed random source. Every call is recorded; a name
 * without an answer fails like an unreachable host (well-known) or a missing record (DNS). Nothing touches the
 * real network.
 */
export class FakeNetwork {
	now = 1_700_000_000_000;
	random = 0.5;
	readonly wellKnownAnswers = new Map<string, WellKnownAnswer | WellKnownAnswer[]>();
	readonly srvAnswers = new Map<string, SrvAnswer>();
	readonly wellKnownCalls: Array<{ serverName: string; maxBytes: number }> = [];
	readonly srvCalls: string[] = [];
	readonly sleeps: number[] = [];
	readonly resolver: ServerResolver;

	constructor(options: { maxCacheEntries?: number } = {}) {
		this.resolver = createServerResolver({
			...options,
			fetchWellKnown: async (serverName, options) => {
				this.wellKnownCalls.push({ serverName, maxBytes: options.maxBytes });
				await Promise.resolve();
				const configured = this.wellKnownAnswers.get(serverName);
				const answer = Array.isArray(configured) ? configured.shift() : configured;
				if (answer === undefined) {
					throw Object.assign(new Error(`connect ECONNREFUSED ${serverName}:443`), { code: 'ECONNREFUSED' });
				}
				if ('error' in answer) {
					throw Object.assign(new Error(answer.error), { code: answer.error });
				}
				return answer;
			},
			dns: {
				resolveSrv: async (name) => {
					this.srvCalls.push(name);
					await Promise.resolve();
					const answer = this.srvAnswers.get(name);
					if (answer === undefined) {
						throw Object.assign(new Error(`querySrv ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
					}
					if ('error' in answer) {
						throw Object.assign(new Error(`querySrv ${answer.error} ${name}`), { code: answer.error });
					}
					return answer;
				},
			},
			now: () => this.now,
			random: () => this.random,
			sleep: (ms) => {
				this.sleeps.push(ms);
				this.now += ms;
				return Promise.resolve();
			},
		});
	}

	/** Moves the clock forward. */
	advance(seconds: number): void {
		this.now += seconds * 1000;
	}

	/** Forgets the recorded calls (not the caches). */
	resetCalls(): void {
		this.wellKnownCalls.length = 0;
		this.srvCalls.length = 0;
		this.sleeps.length = 0;
	}
}
