/**
 * Validation of the two names that reach the file system and remote URLs: the server name and the media ID.
 *
 * Both come from the network (a client's request path, an `mxc://` URI in an event), so they are checked
 * against the spec grammar before anything else looks at them.
 */
import { parseServerName } from '@homeserver/federation';
import { MediaFetcherError } from './errors.js';

/** One piece of remote media: `mxc://{serverName}/{mediaId}`. */
export interface MediaRef {
	readonly serverName: string;
	readonly mediaId: string;
}

// Spec appendix "Server Name": IPv4address / "[" IPv6address "]" / dns-name, then an optional ":" port.
const SERVER_NAME =
	/^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9.-]{1,255})(?::(\d{1,5}))?$/;
// Spec "Content Repository": media IDs use only A-Z, a-z, 0-9, _ and -.
const MEDIA_ID = /^[A-Za-z0-9_-]{1,255}$/;

/** True when the federation client would refuse the name too (empty labels, bad IPv6, octets over 255...). */
function refusedByFederation(serverName: string): boolean {
	try {
		parseServerName(serverName);
		return false;
	} catch {
		return true;
	}
}

/**
 * Throws `ERR_INVALID_SERVER_NAME` unless `serverName` follows the spec grammar (port 1-65535 when given) and the
 * federation client's parser accepts it: a name that could only fail at resolution is the client's error (400),
 * not a remote failure (502).
 */
export function assertServerName(serverName: string): void {
	const match = SERVER_NAME.exec(serverName);
	const port = match?.[1];
	if (
		match === null ||
		(port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) ||
		refusedByFederation(serverName)
	) {
		throw new MediaFetcherError(
			'ERR_INVALID_SERVER_NAME',
			`Invalid server name: ${JSON.stringify(serverName)}`,
		);
	}
}

/** Throws `ERR_INVALID_MEDIA_ID` unless `mediaId` is 1-255 characters of `[A-Za-z0-9_-]`. */
export function assertMediaId(mediaId: string): void {
	if (!MEDIA_ID.test(mediaId)) {
		throw new MediaFetcherError('ERR_INVALID_MEDIA_ID', `Invalid media ID: ${JSON.stringify(mediaId)}`);
	}
}

/** Validates both parts and returns them as a {@link MediaRef}. */
export function mediaRef(serverName: string, mediaId: string): MediaRef {
	assertServerName(serverName);
	assertMediaId(mediaId);
	return { serverName, mediaId };
}

/** Parses `mxc://server/mediaId` (nothing after the media ID), throwing `ERR_INVALID_MXC` or a name error. */
export function parseMxc(uri: string): MediaRef {
	const prefix = 'mxc://';
	if (!uri.startsWith(prefix)) {
		throw new MediaFetcherError('ERR_INVALID_MXC', `Not an mxc:// URI: ${JSON.stringify(uri)}`);
	}
	const rest = uri.slice(prefix.length);
	const slash = rest.indexOf('/');
	if (slash <= 0 || rest.indexOf('/', slash + 1) !== -1) {
		throw new MediaFetcherError(
			'ERR_INVALID_MXC',
			`Expected mxc://server/mediaId, got ${JSON.stringify(uri)}`,
		);
	}
	return mediaRef(rest.slice(0, slash), rest.slice(slash + 1));
}

/** `mxc://server/mediaId`, for logs and messages. */
export function formatMxc(ref: MediaRef): string {
	return `mxc://${ref.serverName}/${ref.mediaId}`;
}
