import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { BodyRate, BodyRateContext, OutboundContext, RouteDecision } from '@homeserver/outbound-http';
import type { Got, Method, OptionsInit, OptionsOfBufferResponseBody } from 'got';
import { destroyOnAbort } from './abort.js';
import type { Deadline } from './deadline.js';
import { FederationRequestError } from './errors.js';
import { MatrixRemoteError } from './matrix-remote-error.js';
import { parseJson } from './parse-json.js';
import type { ResolvedCandidate } from './server-resolver.js';

/** Error bodies of streamed answers are read up to this size to build the {@link MatrixRemoteError}. */
const MAX_ERROR_BODY = 64 * 1024;

/** One signed request, ready to send to any candidate. */
export interface PreparedRequest {
	readonly method: string;
	readonly path: string;
	readonly authorization: string;
	/** Canonical JSON of the signed content, or undefined without a body. */
	readonly body: string | undefined;
	readonly maxBytes: number | undefined;
	readonly timeout: number | undefined;
	/** Deadline for the response headers, from the request written (got's `timeout.response`). */
	readonly responseTimeout: number | undefined;
	/** The body's minimum rate (`context.bodyRate`), or undefined for the outbound stack's. */
	readonly bodyRate?: BodyRate | false | undefined;
	/** The destination as given (for messages). */
	readonly destination: string;
	readonly signal: AbortSignal | undefined;
}

/** A streamed answer: status and headers, the body left to the caller. */
export interface StreamedAnswer {
	readonly status: number;
	readonly headers: IncomingHttpHeaders;
	readonly body: Readable;
}

/**
 * got options for one candidate: URL names the target, SNI and `Host` the (delegated) server name. `onRoute`
 * receives the outbound stack's routing decision for the (single: no redirects, no retries) hop; got's overall
 * `timeout.request` is what is left of the request's deadline (so a candidate never outlives it).
 */
export function candidateOptions(
	request: PreparedRequest,
	candidate: ResolvedCandidate,
	onRoute: (decision: RouteDecision) => void,
	deadline?: Pick<Deadline, 'remaining'>,
): OptionsInit {
	const headers: Record<string, string> = {
		host: candidate.hostHeader,
		authorization: request.authorization,
	};
	if (request.body !== undefined) headers['content-type'] = 'application/json';
	const options: OptionsInit = {
		method: request.method as Method,
		headers,
		throwHttpErrors: false,
		followRedirect: false,
		retry: { limit: 0 },
	};
	if (request.body !== undefined) options.body = request.body;
	if (candidate.sni !== undefined) options.https = { serverName: candidate.sni };
	// `serverName`: the whitelist (federation_domain_whitelist) is checked on the destination, not on the target.
	options.context = {
		onRoute,
		serverName: request.destination,
		...(request.maxBytes === undefined ? {} : { maxBytes: request.maxBytes }),
		...(request.bodyRate === undefined ? {} : { bodyRate: request.bodyRate }),
	} satisfies OutboundContext & BodyRateContext;
	const left = request.timeout === undefined ? undefined : (deadline?.remaining() ?? request.timeout);
	if (left !== undefined || request.responseTimeout !== undefined) {
		options.timeout = {
			...(left === undefined ? {} : { request: left }),
			...(request.responseTimeout === undefined ? {} : { response: request.responseTimeout }),
		};
	}
	return options;
}

/**
 * Sends to one candidate and returns the parsed JSON answer; non-2xx answers throw {@link MatrixRemoteError}.
 * `signal` cancels the got request (the caller turns the rejection into its abort error).
 */
export async function attemptJson(
	client: Got,
	url: string,
	options: OptionsInit,
	signal: AbortSignal | undefined,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: unknown }> {
	const init = { ...options, responseType: 'buffer' } as OptionsOfBufferResponseBody;
	if (signal !== undefined) init.signal = signal;
	const response = await client(url, init);
	const { statusCode: status, headers, rawBody } = response;
	if (status < 200 || status > 299) throw MatrixRemoteError.fromResponse(status, headers, rawBody);
	let body: unknown;
	try {
		body = parseJson(new TextDecoder('utf-8', { fatal: true }).decode(rawBody));
	} catch (error) {
		throw new FederationRequestError(
			`the remote server answered HTTP ${status} with a body that is not JSON`,
			{
				cause: error,
			},
		);
	}
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		throw new FederationRequestError(
			`the remote server answered HTTP ${status} with JSON that is not an object`,
		);
	}
	return { status, headers, body };
}

/**
 * Sends to one candidate and resolves once response headers arrive: 2xx and 3xx answers are returned with the
 * body left to stream; other answers are read (up to 64 KiB) and thrown as {@link MatrixRemoteError}. An abort of
 * `request.signal` destroys the stream, before the headers or while the body streams.
 */
export async function attemptStream(
	client: Got,
	url: string,
	options: OptionsInit,
	request: Pick<PreparedRequest, 'signal' | 'destination'>,
): Promise<StreamedAnswer> {
	const stream = client.stream(url, { ...options, isStream: true });
	destroyOnAbort(stream, request.signal, request.destination);
	let failure: Error | undefined;
	let settle: (() => void) | undefined;
	const onError = (error: Error): void => {
		failure ??= error;
		settle?.();
	};
	stream.on('error', onError);
	const response = await new Promise<{ statusCode: number; headers: IncomingHttpHeaders } | undefined>(
		(resolve) => {
			settle = () => resolve(undefined);
			stream.once('response', resolve);
		},
	);
	// A refusal decided at the headers (an announced Content-Length over maxBytes) errors the stream right after
	// 'response': wait for the pending callbacks to run, so it is thrown here rather than on a stream nobody reads.
	if (response !== undefined) await new Promise((resolve) => setImmediate(resolve));
	stream.off('error', onError);
	if (failure !== undefined || response === undefined) {
		stream.destroy();
		throw failure ?? new FederationRequestError('the response stream ended without a response');
	}
	const status = response.statusCode;
	if (status >= 200 && status <= 399) return { status, headers: response.headers, body: stream };
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of stream) {
			const bytes = chunk as Buffer;
			chunks.push(bytes);
			size += bytes.length;
			if (size >= MAX_ERROR_BODY) break;
		}
	} catch {
		// An error body that fails to arrive still leaves the status to report.
	} finally {
		stream.destroy();
	}
	throw MatrixRemoteError.fromResponse(status, response.headers, Buffer.concat(chunks));
}
