import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Config } from '@homeserver/config';
import { isOutboundHttpError, RequestTimeoutError } from '@homeserver/outbound-http';
import type { BodyRate, OutboundHttp, OutboundHttpErrorCode, RouteDecision } from '@homeserver/outbound-http';
import type { OptionsInit } from 'got';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { abortedError, unlessAborted } from './abort.js';
import { attemptJson, attemptStream, candidateOptions } from './candidate-attempt.js';
import type { PreparedRequest } from './candidate-attempt.js';
import { canonicalJson } from './canonical-json.js';
import { Deadline } from './deadline.js';
import { FederationRequestError } from './errors.js';
import { explainResolution } from './explain-resolution.js';
import type { ResolutionReport } from './explain-resolution.js';
import { checkRequestPath } from './request-path.js';
import { formatHostPort } from './server-name.js';
import { createServerResolver } from './server-resolver.js';
import type { ResolvedCandidate, ServerResolver } from './server-resolver.js';
import type { JsonObject } from './sign-json.js';
import type { SigningKey } from './signing-key.js';
import type { SrvDns } from './srv-records.js';
import { createWellKnownFetcher } from './well-known-fetcher.js';
import { buildXMatrixAuthorization } from './x-matrix-build.js';

/** JSON answers larger than this are refused while they stream (Synapse's federation response limit). */
export const DEFAULT_FEDERATION_MAX_BYTES = 100 * 1024 * 1024;

/** Failures after which the next candidate (the next SRV target) is tried, as Synapse does. */
const NEXT_CANDIDATE: ReadonlySet<OutboundHttpErrorCode> = new Set<OutboundHttpErrorCode>([
	'ERR_DESTINATION_UNREACHABLE',
	'ERR_DESTINATION_TLS',
	'ERR_IP_BLOCKED',
	'ERR_PROXY_REFUSED',
	'ERR_PROXY_TIMEOUT',
]);
const CONNECT_PHASES = new Set(['lookup', 'connect', 'secureConnect']);

/** What {@link createFederationClient} needs. */
export interface FederationClientOptions {
	/** Our `server_name` is the X-Matrix origin. */
	readonly config: Config;
	/** The outbound stack (its `federation` client routes, checks and times every hop). Not closed by us. */
	readonly outbound: OutboundHttp;
	/** Our signing key. */
	readonly signingKey: SigningKey;
	/** SRV lookups (default `node:dns/promises`); tests inject a fake. Ignored when `resolver` is given. */
	readonly dns?: SrvDns;
	/** Receives debug lines for each resolution and route decision (default: silent). */
	readonly logger?: Logger;
	/** A resolver to use instead of the one built from `outbound` and `dns` (e.g. one shared by several clients). */
	readonly resolver?: ServerResolver;
	/** Budget of one `.well-known` lookup of the built resolver (default `WELL_KNOWN_TIMEOUT_MS`, 10 s). */
	readonly wellKnownTimeoutMs?: number;
	/** Time for one SRV answer of the built resolver (default `SRV_TIMEOUT_MS`, 5 s). */
	readonly srvTimeoutMs?: number;
}

/** One federation request. */
export interface FederationRequestOptions {
	/** Upper-case HTTP method. */
	readonly method: string;
	/** Path and `?query`, percent-encoded as sent (see `encodePathSegment`); it is signed exactly as given. */
	readonly path: string;
	/** The JSON body (signed as `content`, sent as its canonical JSON with `Content-Type: application/json`). */
	readonly body?: JsonObject;
	/**
	 * The JSON body as canonical JSON text, signed and sent byte for byte instead of `body` (one or the other): an
	 * outbox that stores its transactions as canonical JSON re-sends the very bytes it stored, with no parse on the
	 * way (docs/architecture.md 4). The text must be canonical JSON of an object; it is not parsed here.
	 */
	readonly canonicalBody?: string;
	/** Cap on the response body in bytes (default {@link DEFAULT_FEDERATION_MAX_BYTES} for JSON, none for streams). */
	readonly maxBytes?: number;
	/**
	 * Deadline for the whole request in ms, counted from the call: server-name resolution (`.well-known` and its
	 * redirects, SRV), every candidate tried, proxy, TLS, headers and body (for {@link FederationClient.stream}, until
	 * the body ends). Missed: `FederationTimeoutError` (`ERR_TIMEOUT`, phase `deadline`). The outbound stack's phase
	 * timeouts apply anyway.
	 */
	readonly timeout?: number;
	/**
	 * Aborts the request: the resolution is no longer waited for, the request to the candidate is cancelled (its
	 * socket released), and the promise rejects with `FederationAbortedError` (`ERR_ABORTED`, the signal's reason on
	 * `cause`). For {@link FederationClient.stream}, an abort after the headers destroys the body with that error
	 * (readers see `code: 'ERR_ABORTED'`). No candidate is tried after an abort.
	 */
	readonly signal?: AbortSignal | undefined;
}

/** One streamed request: no body, and a deadline for the response headers. */
export interface FederationStreamOptions extends Omit<FederationRequestOptions, 'body' | 'canonicalBody'> {
	/**
	 * Deadline in ms for the response headers, from the request written to the candidate (got's
	 * `timeout.response`; replaces the outbound stack's for this request): a remote allowed to wait (media
	 * `timeout_ms`) gets this long. Missed: `ERR_TIMEOUT` with phase `response`, not retried on another candidate.
	 */
	readonly responseTimeout?: number | undefined;
	/**
	 * The body's minimum rate for this request (the outbound stack's `bodyRate`, sent as `context.bodyRate`; `false`:
	 * none); too slow: `ERR_TIMEOUT` with phase `rate`. Default: the stack's. A media download gives its own, so one
	 * guard watches its bytes, framing included.
	 */
	readonly bodyRate?: BodyRate | false | undefined;
}

/** A parsed JSON answer (always a JSON object). */
export interface FederationResponse {
	readonly status: number;
	readonly headers: IncomingHttpHeaders;
	readonly body: unknown;
}

/** A streamed answer (2xx or 3xx); read or destroy `body`. */
export interface FederationStream {
	readonly status: number;
	readonly headers: IncomingHttpHeaders;
	readonly body: Readable;
	/** The URL that answered (`https://<target>:<port><path>`). */
	readonly url: string;
	readonly candidate: ResolvedCandidate;
}

/** Signed requests to other homeservers. */
export interface FederationClient {
	/**
	 * Resolves `destination`, signs and sends; tries the candidates in order while they cannot be reached.
	 * Non-2xx answers throw `MatrixRemoteError`; transport failures throw the outbound stack's typed errors
	 * (`ERR_IP_BLOCKED`, `ERR_PROXY_AUTH_REQUIRED`, ...), the first candidate's when all failed. A destination
	 * that `federation_domain_whitelist` does not list is refused before resolution (`ERR_FEDERATION_DENIED`).
	 */
	request(destination: string, options: FederationRequestOptions): Promise<FederationResponse>;
	/** As {@link request}, but resolves at the response headers with the body left to stream (media downloads). */
	stream(destination: string, options: FederationStreamOptions): Promise<FederationStream>;
	/** The resolver in use (its caches are shared by every request of this client). */
	readonly resolver: ServerResolver;
	/**
	 * Throws `ERR_FEDERATION_DENIED` when `federation_domain_whitelist` does not list `serverName` (docs/architecture.md
	 * 3): what {@link request} checks first, for callers that resolve ahead of a request.
	 */
	assertAllowed(serverName: string): void;
	/** How `serverName` resolves and where each candidate is routed (for `federation-sender resolve`). */
	explain(serverName: string): Promise<ResolutionReport>;
	/** Refuses further requests and forgets cached resolutions. The outbound stack stays open. */
	close(): void;
}

/** The body's canonical JSON: `canonicalBody` as given, or `body` written out; both at once is a caller's error. */
function requestBody(request: Pick<FederationRequestOptions, 'body' | 'canonicalBody'>): string | undefined {
	if (request.canonicalBody === undefined) {
		return request.body === undefined ? undefined : canonicalJson(request.body);
	}
	if (request.body !== undefined) {
		throw new FederationRequestError('a request takes body or canonicalBody, not both');
	}
	if (!request.canonicalBody.startsWith('{') || !request.canonicalBody.endsWith('}')) {
		throw new FederationRequestError('canonicalBody must be the canonical JSON of an object');
	}
	return request.canonicalBody;
}

function nextCandidate(error: unknown): boolean {
	if (!isOutboundHttpError(error)) return false;
	return (
		NEXT_CANDIDATE.has(error.code) ||
		(error instanceof RequestTimeoutError && CONNECT_PHASES.has(error.phase))
	);
}

/**
 * Creates the federation client of docs/architecture.md 4: the destination is resolved (`.well-known` through the outbound
 * stack, SRV, 8448), each candidate becomes `https://<target>:<port><path>` routed with purpose `federation`
 * (CONNECT to the target through `https_proxy`, `no_proxy` checked on the target, IP policy on literals and, for
 * direct routes, on resolved addresses), with SNI, certificate name and `Host` the (delegated) server name and an
 * `Authorization: X-Matrix` header signed for the destination as given.
 */
export function createFederationClient(options: FederationClientOptions): FederationClient {
	const { config, outbound, signingKey } = options;
	const logger = options.logger ?? pino({ level: 'silent' });
	const resolver =
		options.resolver ??
		createServerResolver({
			fetchWellKnown: createWellKnownFetcher(outbound),
			...(options.dns === undefined ? {} : { dns: options.dns }),
			...(options.wellKnownTimeoutMs === undefined ? {} : { wellKnownTimeoutMs: options.wellKnownTimeoutMs }),
			...(options.srvTimeoutMs === undefined ? {} : { srvTimeoutMs: options.srvTimeoutMs }),
		});
	let closed = false;

	function prepare(
		destination: string,
		request: FederationStreamOptions & Pick<FederationRequestOptions, 'body' | 'canonicalBody'>,
		maxBytes: number | undefined,
		deadline: Deadline,
	): PreparedRequest {
		if (closed) throw new FederationRequestError('the federation client was closed');
		if (request.signal?.aborted === true) throw abortedError(destination, request.signal);
		checkRequestPath(request.path);
		const body = requestBody(request);
		const authorization = buildXMatrixAuthorization({
			method: request.method,
			uri: request.path,
			origin: config.serverName,
			destination,
			key: signingKey,
			...(body === undefined ? {} : { contentJson: body }),
		});
		return {
			method: request.method,
			path: request.path,
			authorization,
			body,
			maxBytes,
			timeout: request.timeout,
			responseTimeout: request.responseTimeout,
			bodyRate: request.bodyRate,
			destination,
			signal: deadline.signal,
		};
	}

	/**
	 * Resolves and tries the candidates under `deadline` (its signal is `prepared.signal`): the resolution is
	 * covered by the same deadline as the request, and an abort or an expiry ends the whole thing with
	 * `deadline.error()` (no further candidate is tried).
	 */
	async function send<T>(
		destination: string,
		prepared: PreparedRequest,
		deadline: Deadline,
		attempt: (url: string, options: OptionsInit, candidate: ResolvedCandidate) => Promise<T>,
	): Promise<T> {
		const { signal } = prepared;
		// federation_domain_whitelist: refused on the server name before any I/O (no .well-known, SRV, socket).
		outbound.router.assertFederationAllowed(destination);
		let candidates: ResolvedCandidate[];
		try {
			candidates = await unlessAborted(resolver.resolve(destination, { signal }), signal, destination);
		} catch (error) {
			if (signal?.aborted === true) throw deadline.error();
			throw error;
		}
		deadline.stage = 'request';
		const log = { destination, method: prepared.method, path: prepared.path };
		logger.debug({ ...log, steps: candidates[0]?.steps }, 'federation: destination resolved');
		const errors: Error[] = [];
		for (const [index, candidate] of candidates.entries()) {
			const url = `https://${formatHostPort(candidate.host, candidate.port)}${prepared.path}`;
			const where = {
				...log,
				candidate: index + 1,
				of: candidates.length,
				target: formatHostPort(candidate.host, candidate.port),
			};
			// The outbound stack's routing hook decides the hop (and refuses a blocked one with ERR_IP_BLOCKED);
			// we log its decision rather than routing the URL a second time.
			const onRoute = (decision: RouteDecision): void =>
				logger.debug(
					{
						...where,
						route: decision.route,
						connect: decision.connect,
						reason: decision.reason,
						sni: candidate.sni ?? null,
						host: candidate.hostHeader,
					},
					'federation: candidate routed',
				);
			try {
				if (signal?.aborted === true) throw deadline.error();
				return await attempt(url, candidateOptions(prepared, candidate, onRoute, deadline), candidate);
			} catch (error) {
				if (signal?.aborted === true) throw deadline.error();
				if (!nextCandidate(error)) throw error;
				errors.push(error as Error);
				const code = (error as { code: string }).code;
				logger.debug({ ...where, code }, 'federation: candidate failed');
			}
		}
		throw (
			errors[0] ?? new FederationRequestError(`no candidate to send to for ${JSON.stringify(destination)}`)
		);
	}

	return {
		resolver,
		assertAllowed: (serverName) => outbound.router.assertFederationAllowed(serverName),
		async request(destination, request) {
			const deadline = new Deadline(destination, request.timeout, request.signal);
			try {
				const prepared = prepare(
					destination,
					request,
					request.maxBytes ?? DEFAULT_FEDERATION_MAX_BYTES,
					deadline,
				);
				const client = outbound.client('federation');
				return await send(destination, prepared, deadline, (url, options) =>
					attemptJson(client, url, options, prepared.signal),
				);
			} finally {
				deadline.dispose();
			}
		},
		async stream(destination, request) {
			const deadline = new Deadline(destination, request.timeout, request.signal);
			try {
				const prepared = prepare(destination, request, request.maxBytes, deadline);
				const client = outbound.client('federation');
				const answer = await send(destination, prepared, deadline, async (url, options, candidate) => ({
					...(await attemptStream(client, url, options, prepared)),
					url,
					candidate,
				}));
				// The deadline goes on over the body; it is released when the body closes.
				answer.body.once('close', () => deadline.dispose());
				return answer;
			} catch (error) {
				deadline.dispose();
				throw error;
			}
		},
		explain: (serverName) => explainResolution({ resolver, outbound }, serverName),
		close() {
			closed = true;
			resolver.clearCache();
		},
	};
}
