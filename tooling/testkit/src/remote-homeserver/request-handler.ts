import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RecordedRequest } from '../destination-server.js';
import type { BehaviourQueue } from './behaviours.js';
import { serveFederationDownload, serveLegacyDownload, sendJson } from './media-routes.js';
import { isJsonContentType, readBody } from './read-body.js';
import type { RemoteMedia } from './remote-media.js';
import type { RemoteRequest, RouteHandler } from './remote-request.js';
import type { TransactionLog } from './transaction-log.js';
import { verifyXMatrix } from './x-matrix-verify.js';
import type { TrustedKey } from './x-matrix-verify.js';

/** Request bodies above this are refused with 413 (a full transaction is far smaller). */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const SEND = /^\/_matrix\/federation\/v1\/send\/([^/]+)$/;
const FEDERATION_MEDIA = /^\/_matrix\/federation\/v1\/media\/download\/([^/]+)$/;
const LEGACY_MEDIA = /^\/_matrix\/media\/v3\/download\/([^/]+)\/([^/]+)(?:\/[^/]+)?$/;

/** A custom route as registered. */
export interface CustomRoute {
	readonly method: string;
	readonly path: string | RegExp;
	readonly handler: RouteHandler;
}

/** The state a request handler works on (owned by the server). */
export interface HandlerState {
	serverName: string;
	readonly trusted: Record<string, TrustedKey>;
	readonly log: RemoteRequest[];
	readonly transactions: TransactionLog;
	readonly behaviours: BehaviourQueue;
	readonly media: RemoteMedia;
	readonly routes: CustomRoute[];
	readonly closing: AbortSignal;
	wellKnown: { readonly body: unknown; readonly headers: Readonly<Record<string, string>> } | undefined;
}

function decode(part: string): string | undefined {
	try {
		return decodeURIComponent(part);
	} catch {
		return undefined;
	}
}

/**
 * Handles one request: records it, serves `.well-known`, reads and checks the body (JSON with
 * `Content-Type: application/json`), verifies X-Matrix (required under `/_matrix/federation/`, checked whenever
 * present), applies the next queued behaviour, then routes.
 */
export async function handleRequest(
	state: HandlerState,
	request: IncomingMessage,
	response: ServerResponse,
	recorded: RecordedRequest,
): Promise<void> {
	const target = new URL(recorded.url, 'https://remote.invalid');
	const entry: RemoteRequest = {
		method: recorded.method,
		url: recorded.url,
		path: target.pathname,
		headers: recorded.headers,
		servername: recorded.servername,
		connection: recorded.connection,
		authorization: recorded.headers.authorization === undefined ? 'absent' : 'invalid',
		origin: undefined,
		rejection: undefined,
		content: undefined,
		status: undefined,
	};
	state.log.push(entry);
	const writeHead = response.writeHead.bind(response);
	response.writeHead = (status: number, ...rest: unknown[]) => {
		entry.status = status;
		return (writeHead as (...args: unknown[]) => ServerResponse)(status, ...rest);
	};

	if (entry.method === 'GET' && entry.path === '/.well-known/matrix/server') {
		if (state.wellKnown === undefined)
			sendJson(response, 404, { errcode: 'M_NOT_FOUND', error: 'No delegation' });
		else {
			response.writeHead(200, { 'content-type': 'application/json', ...state.wellKnown.headers });
			response.end(JSON.stringify(state.wellKnown.body));
		}
		return;
	}
	const body = await readBody(request, MAX_REQUEST_BYTES);
	if (body === undefined) {
		sendJson(response, 413, { errcode: 'M_TOO_LARGE', error: 'request body too large' });
		return;
	}
	if (body.length > 0) {
		if (!isJsonContentType(request.headers['content-type'])) {
			sendJson(response, 400, { errcode: 'M_NOT_JSON', error: 'Content-Type must be application/json' });
			return;
		}
		try {
			entry.content = JSON.parse(body.toString('utf8'));
		} catch {
			sendJson(response, 400, { errcode: 'M_NOT_JSON', error: 'body is not JSON' });
			return;
		}
	}
	if (entry.authorization === 'invalid' || entry.path.startsWith('/_matrix/federation/')) {
		const result = verifyXMatrix(
			request.headers.authorization,
			{ method: entry.method, uri: entry.url, destination: state.serverName, content: entry.content },
			state.trusted,
		);
		if (!result.ok) {
			entry.authorization = 'invalid';
			entry.rejection = result.reason;
			sendJson(response, 401, { errcode: 'M_UNAUTHORIZED', error: result.reason });
			return;
		}
		entry.authorization = 'valid';
		entry.origin = result.origin;
	}
	if (entry.path.startsWith('/_matrix/')) {
		const behaviour = state.behaviours.take();
		if (behaviour?.kind === 'stall') {
			const gone = AbortSignal.any([state.closing, abortOnClose(response)]);
			await state.behaviours.hold(behaviour.ms, gone);
			if (gone.aborted) return;
		} else if (behaviour?.kind === 'fail') {
			sendJson(response, behaviour.status, behaviour.body);
			return;
		} else if (behaviour?.kind === 'rate-limit') {
			sendJson(response, 429, {
				errcode: 'M_LIMIT_EXCEEDED',
				error: 'Too Many Requests',
				retry_after_ms: behaviour.retryAfterMs,
			});
			return;
		}
	}
	await route(state, entry, target, response);
}

function abortOnClose(response: ServerResponse): AbortSignal {
	const controller = new AbortController();
	response.once('close', () => controller.abort());
	return controller.signal;
}

async function route(
	state: HandlerState,
	entry: RemoteRequest,
	target: URL,
	response: ServerResponse,
): Promise<void> {
	const { method, path } = entry;
	let match: RegExpExecArray | null;
	if (method === 'PUT' && (match = SEND.exec(path)) !== null) {
		const txnId = decode(match[1] ?? '');
		if (txnId === undefined || entry.origin === undefined) {
			sendJson(response, 400, { errcode: 'M_INVALID_PARAM', error: 'bad transaction id' });
			return;
		}
		const answer = state.transactions.receive(entry.origin, txnId, entry.content);
		sendJson(response, answer.status, answer.body);
		return;
	}
	if (method === 'GET' && (match = FEDERATION_MEDIA.exec(path)) !== null) {
		await serveFederationDownload(state.media, decode(match[1] ?? '') ?? '', response);
		return;
	}
	if (method === 'GET' && (match = LEGACY_MEDIA.exec(path)) !== null) {
		if (decode(match[1] ?? '') !== state.serverName) {
			sendJson(response, 404, { errcode: 'M_NOT_FOUND', error: 'not our media' });
			return;
		}
		await serveLegacyDownload(state.media, decode(match[2] ?? '') ?? '', target.searchParams, response);
		return;
	}
	for (const custom of state.routes) {
		if (custom.method !== method) continue;
		let found: RegExpExecArray | null = null;
		if (typeof custom.path === 'string') {
			if (custom.path !== path) continue;
		} else {
			found = custom.path.exec(path);
			if (found === null) continue;
		}
		const answer = await custom.handler(entry, found);
		response.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
		response.end(answer.body === undefined ? '{}' : JSON.stringify(answer.body));
		return;
	}
	sendJson(response, 404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
}
