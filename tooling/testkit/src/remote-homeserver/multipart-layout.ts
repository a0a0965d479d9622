/**
 * The `multipart/mixed` answer of `GET /_matrix/federation/v1/media/download/{mediaId}`, byte for byte as Synapse
 * writes it (`synapse/media/media_storage.py` `MultipartFileConsumer`; reference matrix-federation.md 4.2):
 *
 * ```
 * CRLF --B CRLF Content-Type: application/json CRLF CRLF {} CRLF --B CRLF
 * Content-Type: <type> CRLF Content-Disposition: <disposition> CRLF CRLF <bytes> CRLF --B-- CRLF
 * ```
 *
 * The `Location` form uses the same frame with a `Location: <url>` header and an empty body.
 */

const CRLF = '\r\n';

/** The pieces around the file bytes: write `head`, then the bytes, then `tail`. */
export interface MultipartFrame {
	/** `Content-Type` of the whole answer: `multipart/mixed; boundary=<boundary>` (unquoted unless asked). */
	readonly contentType: string;
	readonly head: Buffer;
	readonly tail: Buffer;
}

/** How to frame one answer. */
export interface FrameOptions {
	/** The boundary; Synapse uses a uuid4 in hex (32 characters). */
	readonly boundary: string;
	/** Header lines of the second part, e.g. `['Content-Type: text/plain', 'Content-Disposition: inline']`. */
	readonly partHeaders: readonly string[];
	/** Quote the boundary in the Content-Type header (allowed by RFC 2046; Synapse does not). */
	readonly quoteBoundary?: boolean;
	/** End the body right after the file bytes, without the closing delimiter (as MSC3916's example does). */
	readonly omitClosingDelimiter?: boolean;
}

/** Builds the frame of one multipart answer. */
export function multipartFrame(options: FrameOptions): MultipartFrame {
	const dash = `--${options.boundary}`;
	const head =
		`${CRLF}${dash}${CRLF}Content-Type: application/json${CRLF}${CRLF}{}` +
		`${CRLF}${dash}${CRLF}${options.partHeaders.map((line) => `${line}${CRLF}`).join('')}${CRLF}`;
	const tail = options.omitClosingDelimiter === true ? '' : `${CRLF}${dash}--${CRLF}`;
	const boundary = options.quoteBoundary === true ? `"${options.boundary}"` : options.boundary;
	return {
		contentType: `multipart/mixed; boundary=${boundary}`,
		head: Buffer.from(head, 'utf8'),
		tail: Buffer.from(tail, 'utf8'),
	};
}

/** Content types Synapse serves `inline` (`synapse/media/_base.py` `INLINE_CONTENT_TYPES`); others are attachments. */
const INLINE = new Set([
	'text/css',
	'text/plain',
	'text/csv',
	'application/json',
	'application/ld+json',
	'image/jpeg',
	'image/gif',
	'image/png',
	'image/apng',
	'image/webp',
	'image/avif',
	'video/mp4',
	'video/webm',
	'video/ogg',
	'video/quicktime',
	'audio/mp4',
	'audio/webm',
	'audio/aac',
	'audio/mpeg',
	'audio/ogg',
	'audio/wave',
	'audio/wav',
	'audio/x-wav',
	'audio/x-pn-wav',
	'audio/flac',
	'audio/x-flac',
]);

/**
 * A `Content-Disposition` value as Synapse builds it: `inline` or `attachment` by content type, then the file
 * name as `filename=<name>` when it is a plain token, else `filename*=utf-8''<percent-encoded>`.
 */
export function contentDisposition(contentType: string, fileName: string | undefined): string {
	const base = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
	const kind = INLINE.has(base) ? 'inline' : 'attachment';
	if (fileName === undefined || fileName === '') return kind;
	if (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(fileName)) return `${kind}; filename=${fileName}`;
	return `${kind}; filename*=utf-8''${encodeURIComponent(fileName).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
