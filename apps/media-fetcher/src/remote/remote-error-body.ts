/**
 * What a remote's error answer says, and whether it means "I do not know this endpoint" (the only case in which
 * the legacy media endpoint is tried, as in Synapse's `is_unknown_endpoint`).
 */

/** The Matrix error of an answer, when its body is a JSON object with a string `errcode`. */
export interface RemoteErrorBody {
	readonly errcode: string | null;
	readonly error: string | null;
}

/** Parses an error body (already capped in size). */
export function parseRemoteErrorBody(body: Buffer): RemoteErrorBody {
	try {
		const parsed: unknown = JSON.parse(body.toString('utf8'));
		if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
			const { errcode, error } = parsed as Record<string, unknown>;
			return {
				errcode: typeof errcode === 'string' ? errcode.slice(0, 100) : null,
				error: typeof error === 'string' ? error.slice(0, 500) : null,
			};
		}
	} catch {
		// Not JSON.
	}
	return { errcode: null, error: null };
}

/**
 * True when the remote does not know the endpoint: `M_UNRECOGNIZED` with 404, 405 or 400 (older Synapse), or a
 * 404/405 without a Matrix error (a server or reverse proxy that has never heard of the path).
 */
export function isUnknownEndpoint(status: number, body: RemoteErrorBody): boolean {
	if (body.errcode === 'M_UNRECOGNIZED') {
		return status === 404 || status === 405 || status === 400;
	}
	return (status === 404 || status === 405) && body.errcode === null;
}
