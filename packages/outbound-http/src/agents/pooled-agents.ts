import { Agent as HttpAgent } from 'node:http';
import type { AgentOptions as HttpAgentOptions, ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AgentOptions as HttpsAgentOptions, RequestOptions as HttpsRequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import type { ConnectionCallback } from './connection-settler.js';
import { capIdleSockets } from './idle-socket-cap.js';
import type { TlsProfile } from './tls-profile.js';

type Callback = ConnectionCallback;

/** Agent options plus our cap on idle sockets across destinations (unbounded when absent). */
export type PooledAgentOptions<T> = T & { readonly maxIdleSockets?: number };

/**
 * The options that shape a TLS context (what Node's `tls.createSecureContext` reads). When a request sets none of
 * them, its connection can use the profile's shared context as it is.
 */
const CONTEXT_OPTIONS = [
	'secureContext',
	'ca',
	'cert',
	'key',
	'pfx',
	'passphrase',
	'ciphers',
	'ecdhCurve',
	'dhparam',
	'honorCipherOrder',
	'minVersion',
	'maxVersion',
	'secureProtocol',
	'secureOptions',
	'sessionIdContext',
	'ticketKeys',
	'sessionTimeout',
	'sigalgs',
	'crl',
	'privateKeyIdentifier',
	'privateKeyEngine',
	'clientCertEngine',
] as const;

function customisesContext(options: HttpsRequestOptions): boolean {
	const record = options as Record<string, unknown>;
	for (const key of CONTEXT_OPTIONS) if (record[key] !== undefined) return true;
	return false;
}

/**
 * An `http.Agent` whose `timeout` only expires idle keep-alive sockets (see {@link PooledHttpsAgent}) and whose idle
 * sockets across all destinations are capped by `maxIdleSockets`.
 */
export class PooledHttpAgent extends HttpAgent {
	constructor(options: PooledAgentOptions<HttpAgentOptions>) {
		const { maxIdleSockets, ...rest } = options;
		super(rest);
		capIdleSockets(this, maxIdleSockets ?? Number.POSITIVE_INFINITY);
	}

	override createConnection(options: ClientRequestArgs, callback?: Callback): Duplex | null | undefined {
		// The agent `timeout` is the keep-alive idle limit (Node applies it, with the server's `Keep-Alive: timeout`
		// hint, when a socket becomes free), but Node also hands it to every new socket, where it would act as an
		// inactivity limit while connecting and race got's own timers.
		return super.createConnection({ ...options, timeout: undefined }, callback);
	}
}

/**
 * An `https.Agent` for one TLS profile: its connections trust the profile's roots through the profile's shared
 * TLS context (built once), so requests carry no `ca` list, Node builds no context per connection, and pool keys
 * stay short. A request that sets its own TLS context options (a client certificate, `minVersion`, its own
 * `ca`, ...) gets a context built for it, with the profile's roots unless it names its own. Different trust means
 * a different agent, so pools never mix trust. Like {@link PooledHttpAgent}, `timeout` only expires idle sockets.
 */
export class PooledHttpsAgent extends HttpsAgent {
	/** The certificate checks of this agent's connections. */
	readonly tls: TlsProfile;

	constructor(options: PooledAgentOptions<HttpsAgentOptions>, tls: TlsProfile) {
		const { maxIdleSockets, ...rest } = options;
		super(rest);
		this.tls = tls;
		capIdleSockets(this, maxIdleSockets ?? Number.POSITIVE_INFINITY);
	}

	override createConnection(options: HttpsRequestOptions, callback?: Callback): Duplex | null | undefined {
		const tls = this.tls;
		// Node puts the TLS server name and `rejectUnauthorized` in the pool key, so a whitelisted name never shares a
		// pooled socket with a verified one.
		const rejectUnauthorized = tls.skipsVerification(options.servername || (options.host ?? ''))
			? false
			: options.rejectUnauthorized;
		const connection = customisesContext(options)
			? {
					...options,
					timeout: undefined,
					rejectUnauthorized,
					ca: options.ca ?? (tls.ca as string[] | undefined),
					minVersion: options.minVersion ?? tls.minVersion,
				}
			: { ...options, timeout: undefined, rejectUnauthorized, secureContext: tls.secureContext() };
		return super.createConnection(connection, callback);
	}
}
