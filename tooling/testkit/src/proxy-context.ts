import type { Agent, IncomingMessage } from 'node:http';
import type { LookupFunction } from 'node:net';
import type { ProxyAuthOptions } from './proxy-auth.js';
import { authorizedUser } from './proxy-auth.js';
import type { DestinationDecision } from './proxy-destination.js';
import { decideDestination } from './proxy-destination.js';
import type { ProxyLogEntry, RefusedDestination } from './proxy-log.js';
import type { SocketRegistry } from './server-lifecycle.js';

/** State shared by the absolute-form and CONNECT handlers of one in-process proxy (internal). */
export class ProxyContext {
	readonly log: ProxyLogEntry[] = [];
	readonly refused: RefusedDestination[] = [];
	connects = 0;
	tunnels = 0;

	constructor(
		readonly sockets: SocketRegistry,
		readonly agent: Agent,
		readonly connectionOf: (request: IncomingMessage) => number,
		readonly settings: {
			readonly tls: boolean;
			readonly auth: ProxyAuthOptions | undefined;
			readonly connectStatus: number | undefined;
			readonly stallAfterConnect: boolean;
			readonly lookup: LookupFunction | undefined;
		},
	) {}

	/** Records a request on arrival. */
	record(request: IncomingMessage): ProxyLogEntry {
		const entry: ProxyLogEntry = {
			method: request.method ?? '',
			target: request.url ?? '',
			headers: request.headers,
			rawHeaders: request.rawHeaders,
			tls: this.settings.tls,
			connection: this.connectionOf(request),
			outcome: 'pending',
		};
		this.log.push(entry);
		return entry;
	}

	/** True when no auth is configured or the credentials match (then `entry.authorizedUser` is set). */
	authorize(request: IncomingMessage, entry: ProxyLogEntry): boolean {
		const auth = this.settings.auth;
		if (auth === undefined) return true;
		const user = authorizedUser(request.headers, auth);
		if (user === undefined) return false;
		entry.authorizedUser = user;
		return true;
	}

	/** Decides the destination address; records refusals of non-loopback addresses. */
	async destination(host: string, entry: ProxyLogEntry): Promise<DestinationDecision> {
		const decision = await decideDestination(host, this.settings.lookup);
		if (decision.kind === 'refused') {
			this.refused.push({ method: entry.method, target: entry.target, address: decision.address });
		}
		return decision;
	}
}
