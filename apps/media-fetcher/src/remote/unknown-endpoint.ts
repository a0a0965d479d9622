/**
 * Whether a remote's error answer means "I do not know this endpoint": the only case in which the legacy media
 * endpoint is tried, as in Synapse's `is_unknown_endpoint`.
 */
import type { MatrixRemoteError } from '@homeserver/federation';

/**
 * True for `M_UNRECOGNIZED` with 404, 405 or 400 (older Synapse), or a 404/405 without a Matrix error (a server or
 * reverse proxy that has never heard of the path). The error comes from `MatrixRemoteError.fromResponse`, which
 * reads the body defensively (size cap, JSON object, well-formed `errcode` only).
 */
export function isUnknownEndpoint(error: Pick<MatrixRemoteError, 'status' | 'errcode'>): boolean {
	const { status, errcode } = error;
	if (errcode === 'M_UNRECOGNIZED') {
		return status === 404 || status === 405 || status === 400;
	}
	return (status === 404 || status === 405) && errcode === undefined;
}
