import { Agent as HttpAgent } from 'node:http';
import type { ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AgentOptions as HttpsAgentOptions, RequestOptions as HttpsRequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';

type Callback = (error: Error | null, socket: Duplex) => void;

/**
 * The agent `timeout` option is the keep-alive idle limit (Node applies it, with the server's `Keep-Alive: timeout`
 * hint, when a socket becomes free), but Node also hands it to every new socket, where it would act as an
 * inactivity limit while connecting and race got's own timers. These agents keep it for idle sockets only.
 */
function withoutTimeout<T extends { timeout?: number | undefined }>(options: T): T {
	return { ...options, timeout: undefined };
}

/** An `http.Agent` whose `timeout` only expires idle keep-alive sockets. */
export class PooledHttpAgent extends HttpAgent {
	override createConnection(options: ClientRequestArgs, callback?: Callback): Duplex | null | undefined {
		return super.createConnection(withoutTimeout(options), callback);
	}
}

/** An `https.Agent` whose `timeout` only expires idle keep-alive sockets. */
export class PooledHttpsAgent extends HttpsAgent {
	constructor(options: HttpsAgentOptions) {
		super(options);
	}

	override createConnection(options: HttpsRequestOptions, callback?: Callback): Duplex | null | undefined {
		return super.createConnection(withoutTimeout(options), callback);
	}
}
