import { request as httpRequest, STATUS_CODES } from 'node:http';
import type {
	IncomingHttpHeaders,
	IncomingMessage,
	OutgoingHttpHeaders,
	RequestOptions,
	ServerResponse,
} from 'node:http';
import { basicChallenge } from './proxy-auth.js';
import type { ProxyContext } from './proxy-context.js';
import type { ProxyLogEntry, ProxyOutcome } from './proxy-log.js';

const hopByHop = new Set([
	'connection',
	'keep-alive',
	'proxy-authenticate',
	'proxy-authorization',
	'proxy-connection',
	'te',
	'trailer',
	'transfer-encoding',
	'upgrade',
]);

/** Copies end-to-end headers only: hop-by-hop ones (RFC 9110 7.6.1) and the ones `Connection` names are dropped. */
export function endToEndHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
	const named = new Set(
		(headers.connection ?? '')
			.split(',')
			.map((token) => token.trim().toLowerCase())
			.filter(Boolean),
	);
	const result: OutgoingHttpHeaders = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value !== undefined && !hopByHop.has(name) && !named.has(name)) result[name] = value;
	}
	return result;
}

function answer(
	response: ServerResponse,
	entry: ProxyLogEntry,
	status: number,
	outcome: ProxyOutcome,
	headers: OutgoingHttpHeaders = {},
): void {
	entry.status = status;
	entry.outcome = outcome;
	const body = `${status} ${STATUS_CODES[status] ?? ''} (testkit proxy: ${outcome})\n`;
	response.writeHead(status, {
		...headers,
		'content-type': 'text/plain',
		'content-length': Buffer.byteLength(body),
	});
	response.end(body);
}

/**
 * Handles an absolute-form request (`GET http://host:port/path`): checks auth, refuses non-loopback destinations,
 * and forwards it without hop-by-hop headers (so `Proxy-Authorization` never reaches the destination).
 */
export async function forwardAbsoluteForm(
	context: ProxyContext,
	request: IncomingMessage,
	response: ServerResponse,
): Promise<void> {
	const entry = context.record(request);
	if (!context.authorize(request, entry)) {
		const auth = context.settings.auth;
		answer(response, entry, 407, 'auth-required', auth ? { 'proxy-authenticate': basicChallenge(auth) } : {});
		return;
	}
	let url: URL;
	try {
		if (!/^http:\/\//i.test(entry.target)) throw new Error('not an absolute http URL');
		url = new URL(entry.target);
	} catch {
		answer(response, entry, 400, 'bad-request');
		return;
	}
	const decision = await context.destination(url.hostname.replace(/^\[|\]$/g, ''), entry);
	if (decision.kind !== 'ok') {
		answer(response, entry, 502, decision.kind);
		return;
	}
	const headers = endToEndHeaders(request.headers);
	headers.host ??= url.host;
	const options: RequestOptions = {
		host: decision.address,
		port: Number(url.port || 80),
		method: request.method,
		path: `${url.pathname}${url.search}`,
		headers,
		setHost: false,
		agent: context.agent,
	};
	const send = (retryOnStale: boolean): void => {
		const upstream = httpRequest(options);
		upstream.on('response', (upstreamResponse) => {
			entry.status = upstreamResponse.statusCode ?? 502;
			entry.outcome = 'forwarded';
			response.writeHead(entry.status, endToEndHeaders(upstreamResponse.headers));
			upstreamResponse.pipe(response);
		});
		upstream.on('error', () => {
			// A kept-alive upstream connection the destination closed just as it was reused: a real proxy sends a
			// bodyless request again on a new connection (RFC 9112 9.3.1) rather than answer 502 for its own race.
			if (retryOnStale && upstream.reusedSocket && !response.headersSent) {
				send(false);
				return;
			}
			if (response.headersSent) response.destroy();
			else answer(response, entry, 502, 'upstream-error');
		});
		response.on('close', () => {
			if (!response.writableFinished) upstream.destroy();
		});
		if (bodyless) upstream.end();
		else request.pipe(upstream);
	};
	const bodyless =
		request.headers['transfer-encoding'] === undefined && Number(request.headers['content-length'] ?? 0) === 0;
	send(bodyless);
}
