import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { generatedStream } from './generated-bytes.js';
import { contentDisposition, multipartFrame } from './multipart-layout.js';
import type { MultipartFrame } from './multipart-layout.js';
import type { RemoteMedia, RemoteMediaFile } from './remote-media.js';

/** Sends a JSON answer. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	response.writeHead(status, {
		'content-type': 'application/json',
		'content-length': String(Buffer.byteLength(text)),
	});
	response.end(text);
}

const NOT_FOUND = { errcode: 'M_NOT_FOUND', error: 'Not found' };

function fileStream(file: RemoteMediaFile, length: number): Readable {
	if (file.bytes === undefined) return generatedStream(length, file.stallAfterBytes);
	const bytes = Buffer.from(file.bytes);
	const stallAfter = file.stallAfterBytes;
	if (stallAfter === undefined) return Readable.from([bytes]);
	// A stalled body: the first bytes, then a stream that never ends.
	let sent = false;
	return new Readable({
		read() {
			if (sent) return;
			sent = true;
			this.push(bytes.subarray(0, stallAfter));
		},
	});
}

async function* framed(frame: MultipartFrame | undefined, body: Readable): AsyncGenerator<Buffer> {
	if (frame !== undefined) yield frame.head;
	for await (const chunk of body) yield chunk as Buffer;
	if (frame !== undefined) yield frame.tail;
}

async function stream(
	response: ServerResponse,
	headers: Record<string, string>,
	frame: MultipartFrame | undefined,
	body: Readable,
): Promise<void> {
	response.writeHead(200, headers);
	await pipeline(Readable.from(framed(frame, body)), response).catch(() => response.destroy());
}

function disposition(file: RemoteMediaFile, contentType: string): string {
	return file.contentDisposition ?? contentDisposition(contentType, file.fileName);
}

/**
 * `GET /_matrix/federation/v1/media/download/{mediaId}`: 404 `M_UNRECOGNIZED` on a legacy-only server, else the
 * multipart answer in Synapse's layout (file bytes or a `Location` part), or the raw answer registered for it.
 */
export async function serveFederationDownload(
	media: RemoteMedia,
	mediaId: string,
	response: ServerResponse,
): Promise<void> {
	if (media.isLegacyOnly) {
		sendJson(response, 404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
		return;
	}
	const entry = media.get(mediaId);
	media.count(mediaId);
	if (entry === undefined || (entry.kind === 'raw' && entry.answer.endpoint === 'legacy')) {
		sendJson(response, 404, NOT_FOUND);
		return;
	}
	if (entry.kind === 'raw') {
		response.writeHead(entry.answer.status ?? 200, entry.answer.headers ?? {});
		response.end(Buffer.from(entry.answer.body));
		return;
	}
	const boundary =
		(entry.kind === 'file' ? entry.file.boundary : undefined) ?? randomUUID().replace(/-/g, '');
	if (entry.kind === 'redirect') {
		const frame = multipartFrame({ boundary, partHeaders: [`Location: ${entry.location}`] });
		const body = Buffer.concat([frame.head, frame.tail]);
		response.writeHead(200, { 'content-type': frame.contentType, 'content-length': String(body.length) });
		response.end(body);
		return;
	}
	const { file, length } = entry;
	const contentType = file.contentType ?? 'application/octet-stream';
	const frame = multipartFrame({
		boundary,
		partHeaders: [`Content-Type: ${contentType}`, `Content-Disposition: ${disposition(file, contentType)}`],
		...(file.quoteBoundary === undefined ? {} : { quoteBoundary: file.quoteBoundary }),
		...(file.omitClosingDelimiter === undefined ? {} : { omitClosingDelimiter: file.omitClosingDelimiter }),
	});
	const headers: Record<string, string> = { 'content-type': frame.contentType };
	if (file.announceLength !== false) {
		headers['content-length'] = String(frame.head.length + length + frame.tail.length);
	}
	await stream(response, headers, frame, fileStream(file, length));
}

/**
 * `GET /_matrix/media/v3/download/{serverName}/{mediaId}[/{fileName}]`: the raw bytes with `Content-Type` and
 * `Content-Disposition`; a redirect entry answers 307 with `Location` when `allow_redirect=true` (else 404).
 */
export async function serveLegacyDownload(
	media: RemoteMedia,
	mediaId: string,
	query: URLSearchParams,
	response: ServerResponse,
): Promise<void> {
	const entry = media.get(mediaId);
	media.count(mediaId);
	if (entry === undefined || (entry.kind === 'raw' && entry.answer.endpoint !== 'legacy')) {
		sendJson(response, 404, NOT_FOUND);
		return;
	}
	if (entry.kind === 'raw') {
		response.writeHead(entry.answer.status ?? 200, entry.answer.headers ?? {});
		response.end(Buffer.from(entry.answer.body));
		return;
	}
	if (entry.kind === 'redirect') {
		if (query.get('allow_redirect') !== 'true') {
			sendJson(response, 404, NOT_FOUND);
			return;
		}
		response.writeHead(307, { location: entry.location, 'content-length': '0' });
		response.end();
		return;
	}
	const { file, length } = entry;
	const contentType = file.contentType ?? 'application/octet-stream';
	const headers: Record<string, string> = {
		'content-type': contentType,
		'content-disposition': disposition(file, contentType),
	};
	if (file.announceLength !== false) headers['content-length'] = String(length);
	await stream(response, headers, undefined, fileStream(file, length));
}
