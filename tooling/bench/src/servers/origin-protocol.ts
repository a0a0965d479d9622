/**
 * Messages between the runner and the origin-server child process (see origin-child.ts).
 */

/** The body every small GET gets: `GET /1k` answers exactly this many bytes. */
export const SMALL_BODY_BYTES = 1024;

/** Start request sent by the parent. */
export interface OriginStart {
	readonly type: 'start';
	/** Server certificate and key (PEM) for the https listeners. */
	readonly tls: { readonly certPem: string; readonly keyPem: string };
	/** How many https listeners (each on its own loopback port). */
	readonly https: number;
	/** How many plain-http listeners. */
	readonly http: number;
}

/** Reply once every listener is up. */
export interface OriginReady {
	readonly type: 'ready';
	readonly httpsPorts: readonly number[];
	readonly httpPorts: readonly number[];
}

/** Counters the parent can ask for (`{type: 'stats'}`). */
export interface OriginStats {
	readonly type: 'stats';
	readonly requests: number;
	/** TCP connections accepted (plain) and TLS handshakes completed (https) since the start. */
	readonly connections: number;
	readonly tlsHandshakes: number;
	/** Federation transactions (`PUT /_matrix/federation/v1/send/...`) answered. */
	readonly transactions: number;
}
