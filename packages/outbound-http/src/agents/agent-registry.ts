import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Config, ProxyEndpoint, Purpose } from '@homeserver/config';
import type { Router } from '../route/router.js';
import type { RoutableDecision } from '../route/route-decision.js';
import { createDirectHttpAgent, createDirectHttpsAgent } from './direct-agents.js';
import { ForwardAgent } from './forward-agent.js';
import type { PoolOptions } from './pool-options.js';
import { tlsProfile } from './tls-profile.js';
import type { TlsProfile } from './tls-profile.js';
import { TunnelAgent } from './tunnel-agent.js';

/** The value for got's `agent` option: both keys set, so a hop never picks up a stale agent. */
export interface AgentSelection {
	readonly http: HttpAgent;
	readonly https: HttpsAgent;
}

/** Settings shared by the agents of one `createOutboundHttp` instance. */
export interface AgentRegistryOptions {
	readonly lookup: LookupFunction | undefined;
	readonly pool: PoolOptions;
	/** Deadline for reaching the proxy and, for tunnels, its CONNECT reply. */
	readonly proxyTimeoutMs: number;
	/** Deadline for the TLS handshake with a destination inside a tunnel. */
	readonly secureConnectTimeoutMs: number;
	readonly userAgent: string | undefined;
	readonly extraCa: readonly string[];
}

interface PurposeAgents {
	direct?: AgentSelection;
	forward?: AgentSelection;
	tunnel?: AgentSelection;
}

/**
 * Creates and caches the agents of one instance. Agents are keyed by what changes their behaviour (route kind,
 * proxy, TLS profile, IP policy), not by destination: there are at most a few per purpose, and
 * per-destination state lives in Node's pools, which drop sockets when idle ones expire. A selection object per
 * purpose and route kind is built once, so choosing an agent on the hot path allocates nothing.
 */
export class AgentRegistry {
	readonly #config: Config;
	readonly #router: Router;
	readonly #options: AgentRegistryOptions;
	readonly #byKey = new Map<unknown, AgentSelection>();
	readonly #byPurpose = new Map<Purpose, PurposeAgents>();
	readonly #profiles = new Map<string, TlsProfile>();
	/** The plain-http direct agent of each IP policy (by id), shared by the policy's TLS profiles. */
	readonly #directHttp = new Map<number, HttpAgent>();
	readonly #objectIds = new WeakMap<object, number>();
	#nextObjectId = 1;

	constructor(config: Config, router: Router, options: AgentRegistryOptions) {
		this.#config = config;
		this.#router = router;
		this.#options = options;
	}

	/** The TLS profile of a purpose (proxy hop and destination). */
	profile(purpose: Purpose): TlsProfile {
		const name = this.#config.purposes[purpose].tls;
		let profile = this.#profiles.get(name);
		if (profile === undefined)
			this.#profiles.set(name, (profile = tlsProfile(this.#config, name, this.#options.extraCa)));
		return profile;
	}

	/** The agents for a decision that is not `blocked`. */
	select(decision: RoutableDecision): AgentSelection {
		let agents = this.#byPurpose.get(decision.purpose);
		if (agents === undefined) this.#byPurpose.set(decision.purpose, (agents = {}));
		if (decision.route === 'direct') return (agents.direct ??= this.#direct(decision.purpose));
		if (decision.mode === 'forward')
			return (agents.forward ??= this.#forward(decision.purpose, decision.proxy));
		return (agents.tunnel ??= this.#tunnel(decision.purpose, decision.proxy));
	}

	/** Destroys every agent and its sockets. */
	destroy(): void {
		for (const selection of this.#byKey.values()) {
			selection.http.destroy();
			selection.https.destroy();
		}
		this.#byKey.clear();
		this.#byPurpose.clear();
		this.#directHttp.clear();
	}

	/** Every agent created so far (for tests and introspection). */
	agents(): HttpAgent[] {
		return [...new Set([...this.#byKey.values()].flatMap((selection) => [selection.http, selection.https]))];
	}

	/** A small number per configuration object (proxy endpoint, IP policy), for cache keys. */
	#objectId(object: object): number {
		let id = this.#objectIds.get(object);
		if (id === undefined) this.#objectIds.set(object, (id = this.#nextObjectId++));
		return id;
	}

	#cached(key: unknown, create: () => AgentSelection): AgentSelection {
		let selection = this.#byKey.get(key);
		if (selection === undefined) this.#byKey.set(key, (selection = Object.freeze(create())));
		return selection;
	}

	#direct(purpose: Purpose): AgentSelection {
		const policy = this.#config.purposes[purpose].ipPolicy;
		const policyId = policy === null ? 0 : this.#objectId(policy);
		const tls = this.profile(purpose);
		const { lookup, pool } = this.#options;
		const matcher = this.#router.ipPolicy(purpose);
		return this.#cached(`direct ${policyId} ${tls.name}`, () => {
			let http = this.#directHttp.get(policyId);
			if (http === undefined)
				this.#directHttp.set(policyId, (http = createDirectHttpAgent(matcher, lookup, pool)));
			return { http, https: createDirectHttpsAgent(matcher, lookup, pool, tls) };
		});
	}

	#forward(purpose: Purpose, endpoint: ProxyEndpoint): AgentSelection {
		const tls = this.profile(purpose);
		return this.#cached(`forward ${this.#objectId(endpoint)} ${tls.name}`, () => {
			const agent = new ForwardAgent({
				proxy: { endpoint, tls, lookup: this.#options.lookup },
				connectTimeoutMs: this.#options.proxyTimeoutMs,
				pool: { ...this.#options.pool, maxSockets: Number.POSITIVE_INFINITY },
			});
			// Only the key matching the hop's protocol is used; the other one fails (protocol check) instead of
			// silently going direct.
			return { http: agent, https: agent as unknown as HttpsAgent };
		});
	}

	#tunnel(purpose: Purpose, endpoint: ProxyEndpoint): AgentSelection {
		const tls = this.profile(purpose);
		return this.#cached(`tunnel ${this.#objectId(endpoint)} ${tls.name}`, () => {
			const agent = new TunnelAgent({
				proxy: { endpoint, tls, lookup: this.#options.lookup },
				handshakeTimeoutMs: this.#options.proxyTimeoutMs,
				secureConnectTimeoutMs: this.#options.secureConnectTimeoutMs,
				userAgent: this.#options.userAgent,
				pool: this.#options.pool,
			});
			return { http: agent, https: agent };
		});
	}
}
