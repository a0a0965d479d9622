/**
 * Turning a remote's `Content-Type` and `Content-Disposition` into values safe to store and to send on.
 *
 * Both come from the remote server and end up in our clients' responses, so only well-formed values survive:
 * a media type that parses (parameters kept only when well-formed), and a file name without path separators,
 * control characters or excessive length.
 */
import { parse as parseDisposition } from 'content-disposition';
import { format, parse as parseType } from 'content-type';

/** The type stored when the remote gave none or an unusable one. */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** Normalises a Content-Type (lower-case type, re-formatted parameters), or {@link DEFAULT_CONTENT_TYPE}. */
export function normalizeContentType(header: string | null | undefined): string {
	if (header === null || header === undefined || header.length > 1024) {
		return DEFAULT_CONTENT_TYPE;
	}
	try {
		return format(parseType(header));
	} catch {
		return DEFAULT_CONTENT_TYPE;
	}
}

/** The bare media type (`image/png`) of a normalised Content-Type. */
export function mediaTypeOf(contentType: string): string {
	const semicolon = contentType.indexOf(';');
	return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

// Path separators, control characters, and characters that confuse header parsers or shells.
const UNSAFE = /[\x00-\x1f\x7f/\\"]/g;

/**
 * Bidirectional-text controls (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, LRM, RLM, ALM): in a file name they
 * make `invoice‮fdp.exe` look like `invoiceexe.pdf` in a client's download bar. They are removed.
 */
const BIDI_CONTROLS = /[‪-‮⁦-⁩‎‏؜]/g;

/** `name` without bidirectional-text controls. */
export function stripBidiControls(name: string): string {
	return name.replace(BIDI_CONTROLS, '');
}

/**
 * Makes a file name safe to store and to put in a header: no separators, controls or bidi controls, at most 255
 * characters.
 */
export function sanitizeFileName(name: string): string | null {
	const cleaned = stripBidiControls(name).replace(UNSAFE, '_').trim().slice(0, 255);
	return cleaned === '' || cleaned === '.' || cleaned === '..' ? null : cleaned;
}

/** The `filename` (or decoded `filename*`) of a Content-Disposition, sanitised; null when none or malformed. */
export function fileNameFromDisposition(header: string | null | undefined): string | null {
	if (header === null || header === undefined || header.length > 4096) {
		return null;
	}
	try {
		const name = parseDisposition(header).parameters['filename'];
		return typeof name === 'string' ? sanitizeFileName(name) : null;
	} catch {
		return null;
	}
}
