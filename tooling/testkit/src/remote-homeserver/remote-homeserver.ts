import type { TlsMaterial } from '../certificate-authority.js';
import { startHttpsServer } from '../destination-server.js';
import { TestkitError } from '../errors.js';
import type { LoopbackHost } from '../loopback.js';
import { BehaviourQueue } from './behaviours.js';
import { handleRequest } from './request-handler.js';
import type { CustomRoute, HandlerState } from './request-handler.js';
import { RemoteMedia } from './remote-media.js';
import type { RemoteRequest, RouteHandler } from './remote-request.js';
import { TransactionLog } from './transaction-log.js';
import type { ReceivedTransaction } from './transaction-log.js';
import type { TrustedKey } from './x-matrix-verify.js';

/** Options of {@link startRemoteHomeserver}. */
export interface RemoteHomeserverOptions {
	/**
	 * Its server name: the X-Matrix `destination` it expects (pre-delegation), e.g. `remote.test`. A function gets
	 * the port the server was bound to and returns the name (`(port) => \`localhost:${port}\``), for peers whose
	 * name carries their own port: no port has to be chosen in advance (and raced for), nor the name fixed later
	 * with {@link RemoteHomeserver.setServerName}.
	 */
	readonly serverName: string | ((port: number) => string);
	/** Its certificate (valid for the names clients will check: the server name, a delegated name...). */
	readonly tls: TlsMaterial;
	/** Whom it trusts: origin server name → its signing key id and public key (unpadded base64). */
	readonly keys: Readonly<Record<string, TrustedKey>>;
	/** Address to listen on; default `127.0.0.1`. */
	readonly host?: LoopbackHost;
	/** Body of `GET /.well-known/matrix/server` (e.g. `{'m.server': 'target.test:8448'}`); default: 404. */
	readonly wellKnown?: unknown;
}

/** A running fake remote homeserver. */
export interface RemoteHomeserver {
	/** The server name it answers as (the X-Matrix `destination` it accepts). */
	readonly serverName: string;
	/** Changes the server name (a name that carries the port can also be computed at start: see the options). */
	setServerName(serverName: string): void;
	/** `https://127.0.0.1:PORT`. */
	readonly url: string;
	readonly host: LoopbackHost;
	readonly port: number;
	/** Every request, in order of arrival, with its verification result and answer status. */
	readonly requests: readonly RemoteRequest[];
	/** Accepted transactions (first arrival of each `(origin, txnId)`), in order of arrival. */
	readonly transactions: readonly ReceivedTransaction[];
	/** Repeated `(origin, txnId)` transactions answered from the cache and not applied again. */
	readonly duplicates: number;
	/** Accepted PDUs of one origin (or all), in order of arrival. */
	pdus(origin?: string): unknown[];
	/** Accepted EDUs of one origin (or all), in order of arrival. */
	edus(origin?: string): unknown[];
	/** The next `count` signed `/_matrix/` requests answer `status` (body: a Matrix error unless given). */
	failNext(count: number, status?: number, body?: unknown): void;
	/** The next `count` requests answer 429 `M_LIMIT_EXCEEDED` with `retry_after_ms`. */
	answer429(retryAfterMs: number, count?: number): void;
	/** The next `count` requests wait `ms` (or until {@link release} / close for `'forever'`) before being handled. */
	stall(ms: number | 'forever', count?: number): void;
	/** Lets every stalled request go on. */
	release(): void;
	/** Requests currently stalled (waiting out a `stall`). */
	readonly stalled: number;
	/** Drops queued behaviours not used yet. */
	clearBehaviours(): void;
	/** Sets (or with undefined, removes) the `.well-known/matrix/server` answer and extra headers for it. */
	setWellKnown(body: unknown, headers?: Readonly<Record<string, string>>): void;
	/** Trusts (or replaces) the key of an origin. */
	trust(origin: string, key: TrustedKey): void;
	/** Adds a JSON route, checked after the built-in ones; requests under `/_matrix/federation/` arrive verified. */
	handle(method: string, path: string | RegExp, handler: RouteHandler): void;
	/** Media it serves on the federation and legacy download endpoints. */
	readonly media: RemoteMedia;
	/** Stops listening, ends every connection (stalled ones too). */
	close(): Promise<void>;
}

function checkServerName(serverName: string): void {
	if (!/^[\x21-\x7e]{1,255}$/.test(serverName)) {
		throw new TestkitError('ERR_TESTKIT_INVALID_OPTION', `invalid server name ${JSON.stringify(serverName)}`);
	}
}

/**
 * Starts a fake remote Matrix homeserver on loopback over TLS: an independent peer for federation tests. It
 * verifies the X-Matrix signature of every federation request with its own canonical JSON and `node:crypto`
 * ed25519 (401 `M_UNAUTHORIZED` when wrong), accepts `PUT /_matrix/federation/v1/send/{txnId}` de-duplicated by
 * `(origin, txnId)` as Synapse does, serves `.well-known/matrix/server`, the authenticated media download
 * (`multipart/mixed` in Synapse's exact layout, inline or `Location`) and the legacy one, and can fail, stall or
 * rate-limit on demand. Large media are generated on the fly and streamed.
 */
export async function startRemoteHomeserver(options: RemoteHomeserverOptions): Promise<RemoteHomeserver> {
	const nameOf = options.serverName;
	if (typeof nameOf === 'string') checkServerName(nameOf);
	const closing = new AbortController();
	const routes: CustomRoute[] = [];
	const state: HandlerState = {
		// A computed name is known once the port is; until then (no client knows the port yet) nothing matches it.
		serverName: typeof nameOf === 'string' ? nameOf : '',
		trusted: { ...options.keys },
		log: [],
		transactions: new TransactionLog(),
		behaviours: new BehaviourQueue(),
		media: new RemoteMedia(),
		routes,
		closing: closing.signal,
		wellKnown: options.wellKnown === undefined ? undefined : { body: options.wellKnown, headers: {} },
	};
	const server = await startHttpsServer(
		options.tls,
		(request, response, recorded) => handleRequest(state, request, response, recorded),
		{ host: options.host ?? '127.0.0.1' },
	);
	if (typeof nameOf === 'function') {
		try {
			state.serverName = nameOf(server.port);
			checkServerName(state.serverName);
		} catch (error) {
			closing.abort();
			await server.close();
			throw error;
		}
	}
	const { behaviours, transactions } = state;
	return {
		get serverName() {
			return state.serverName;
		},
		setServerName(serverName) {
			checkServerName(serverName);
			state.serverName = serverName;
		},
		url: server.url,
		host: server.host,
		port: server.port,
		requests: state.log,
		transactions: transactions.accepted,
		get duplicates() {
			return transactions.duplicates;
		},
		pdus: (origin) => transactions.pdus(origin),
		edus: (origin) => transactions.edus(origin),
		failNext: (count, status, body) => behaviours.failNext(count, status, body),
		answer429: (retryAfterMs, count) => behaviours.answer429(retryAfterMs, count),
		stall: (ms, count) => behaviours.stall(ms, count),
		release: () => behaviours.release(),
		get stalled() {
			return behaviours.held;
		},
		clearBehaviours: () => behaviours.clear(),
		setWellKnown(body, headers = {}) {
			state.wellKnown = body === undefined ? undefined : { body, headers };
		},
		trust(origin, key) {
			state.trusted[origin] = key;
		},
		handle(method, path, handler) {
			routes.push({ method: method.toUpperCase(), path, handler });
		},
		media: state.media,
		async close() {
			closing.abort();
			behaviours.release();
			await server.close();
		},
	};
}
