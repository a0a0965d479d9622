/**
 * The request handler of `media-fetcher serve`: `GET`/`HEAD /_matrix/client/v1/media/download/...` answered
 * from the local store, downloading on a miss; everything else is a Matrix error.
 */
import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import type { MediaService } from '../media-service.js';
import type { MediaMetrics } from '../metrics.js';
import { sendErrorOf, sendMatrixError } from './matrix-error.js';
import { responseContentType, responseDisposition, securityHeaders } from './response-headers.js';
import { parseDownloadRequest, type DownloadRequest } from './routes.js';

/** What the handler needs. */
export interface MediaHandlerOptions {
	readonly service: MediaService;
	readonly logger: Logger;
	readonly metrics?: MediaMetrics;
}

/** A `node:http` request listener serving media. */
export type MediaHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** Builds the request listener. */
export function createMediaHandler(options: MediaHandlerOptions): MediaHandler {
	const { logger, metrics } = options;
	return (request, response) => {
		const started = process.hrtime.bigint();
		response.once('finish', () => {
			metrics?.responses.inc({ status: String(response.statusCode) });
			const ms = Number(process.hrtime.bigint() - started) / 1e6;
			logger.info(
				{ method: request.method, path: request.url?.split('?')[0], status: response.statusCode, ms },
				'request',
			);
		});
		handle(options, request, response).catch((error: unknown) => {
			logger.error({ reason: error instanceof Error ? error.message : String(error) }, 'request failed');
			if (!response.headersSent) {
				sendMatrixError(response, 500, 'M_UNKNOWN', 'Internal server error');
			} else {
				response.destroy();
			}
		});
	};
}

async function handle(
	options: MediaHandlerOptions,
	request: IncomingMessage,
	response: ServerResponse,
): Promise<void> {
	const head = request.method === 'HEAD';
	if (request.method === 'OPTIONS') {
		response.writeHead(204, securityHeaders()).end();
		return;
	}
	let parsed: DownloadRequest | null;
	try {
		parsed = parseDownloadRequest(request.url ?? '/');
	} catch (error) {
		sendErrorOf(response, error, head);
		return;
	}
	if (parsed === null) {
		sendMatrixError(response, 404, 'M_UNRECOGNIZED', 'Unrecognized request', head);
		return;
	}
	if (request.method !== 'GET' && !head) {
		sendMatrixError(response, 405, 'M_UNRECOGNIZED', 'Unrecognized request');
		return;
	}
	// A client that hangs up leaves the download; the last one to leave cancels it.
	const gone = new AbortController();
	const onClose = (): void => {
		if (!response.writableFinished) gone.abort();
	};
	response.once('close', onClose);
	let got;
	try {
		got = await options.service.get(parsed.ref, {
			timeoutMs: parsed.timeoutMs,
			signal: gone.signal,
			// Synapse's per-requester download limit; the requester is the client's address.
			...(request.socket.remoteAddress === undefined ? {} : { requester: request.socket.remoteAddress }),
		});
	} catch (error) {
		sendErrorOf(response, error, head);
		return;
	} finally {
		response.off('close', onClose);
	}
	const { media } = got;
	const file = await open(media.path, 'r').catch(() => undefined);
	if (file === undefined) {
		sendMatrixError(response, 404, 'M_NOT_FOUND', 'Not found', head);
		return;
	}
	response.writeHead(200, {
		...securityHeaders(),
		'Content-Type': responseContentType(media.contentType),
		'Content-Length': media.size,
		'Content-Disposition': responseDisposition(media.contentType, parsed.fileName ?? media.fileName),
		'Cache-Control': 'public, max-age=86400, s-maxage=86400',
	});
	if (head) {
		await file.close();
		response.end();
		return;
	}
	// A client that goes away mid-file is not an error of ours.
	await pipeline(file.createReadStream(), response).catch(() => undefined);
}
