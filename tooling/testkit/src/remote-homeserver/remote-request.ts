import type { IncomingHttpHeaders } from 'node:http';

/** What the remote homeserver saw of one request and how it answered. */
export interface RemoteRequest {
	readonly method: string;
	/** The request target as received (`/path?query`): the `uri` a signature must cover. */
	readonly url: string;
	/** The decoded-free path part of {@link url}. */
	readonly path: string;
	readonly headers: IncomingHttpHeaders;
	/** The SNI name the client sent (undefined without SNI). */
	readonly servername: string | undefined;
	/** 1-based number of the TLS connection it came on (equal numbers: a reused connection). */
	readonly connection: number;
	/** `valid` (verified X-Matrix), `invalid` (refused with 401), or `absent` (no Authorization header). */
	authorization: 'valid' | 'invalid' | 'absent';
	/** The verified X-Matrix origin. */
	origin: string | undefined;
	/** Why the signature was refused, for `invalid`. */
	rejection: string | undefined;
	/** The parsed JSON body, when there was one. */
	content: unknown;
	/** The status answered, once the answer started. */
	status: number | undefined;
}

/** What a custom route answers. */
export interface RouteAnswer {
	readonly status?: number;
	readonly body?: unknown;
	readonly headers?: Readonly<Record<string, string>>;
}

/** A custom route: receives the verified request (path parameters from a RegExp route in `match`). */
export type RouteHandler = (
	request: RemoteRequest,
	match: RegExpExecArray | null,
) => RouteAnswer | Promise<RouteAnswer>;
