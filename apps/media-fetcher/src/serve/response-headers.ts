/**
 * The headers every media response carries, so that a file from a remote server cannot run as part of a web
 * page of ours: a sandboxing Content-Security-Policy, `nosniff`, and `Content-Disposition: attachment` for
 * every type not known to be inert when shown inline (the allowlist Synapse uses, `synapse/media/_base.py`).
 */
import contentDisposition from 'content-disposition';
import { mediaTypeOf, stripBidiControls } from '../media-headers.js';

/** Types a browser may show inline: images, audio, video, plain text. Everything else is an attachment. */
export const INLINE_CONTENT_TYPES: ReadonlySet<string> = new Set([
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

/** Synapse's media Content-Security-Policy: no script, no plugins but PDF, sandboxed. */
export const MEDIA_CSP =
	"sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; style-src 'unsafe-inline'; media-src 'self'; object-src 'self';";

/** Headers on every answer of the service, errors included. */
export function securityHeaders(): Record<string, string> {
	return {
		'Content-Security-Policy': MEDIA_CSP,
		'X-Content-Type-Options': 'nosniff',
		'Cross-Origin-Resource-Policy': 'cross-origin',
		'Referrer-Policy': 'no-referrer',
		'X-Robots-Tag': 'noindex, nofollow, noarchive, noimageindex',
		'Access-Control-Allow-Origin': '*',
		'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
		'Access-Control-Allow-Headers': 'Origin, X-Requested-With, Content-Type, Accept, Authorization, Date',
	};
}

/** `Content-Type` to send: the stored type, with `charset=UTF-8` added to text types that name none. */
export function responseContentType(stored: string): string {
	return mediaTypeOf(stored).startsWith('text/') && !/;\s*charset=/i.test(stored)
		? `${stored}; charset=UTF-8`
		: stored;
}

/**
 * `Content-Disposition` to send: `inline` only for {@link INLINE_CONTENT_TYPES}, with the file name if any, its
 * bidi controls removed (also from names stored before they were removed on the way in).
 */
export function responseDisposition(contentType: string, fileName: string | null): string {
	const type = INLINE_CONTENT_TYPES.has(mediaTypeOf(contentType)) ? 'inline' : 'attachment';
	const name = fileName === null ? '' : stripBidiControls(fileName);
	return name === '' ? type : contentDisposition(name, { type });
}
