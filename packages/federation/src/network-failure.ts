/**
 * Which failures of a federation request are network-level, the only ones a short retry may repeat
 * (docs/architecture.md 3.6): no HTTP answer came, and trying again a moment later can succeed. Connection refused
 * or unreachable (`ERR_DESTINATION_UNREACHABLE`, `ERR_PROXY_UNREACHABLE`; through the proxy, its 502, 503 or 504
 * to CONNECT, which is how Squid reports a destination it could not reach), a connection reset or closed before the
 * answer (`ERR_REQUEST_FAILED` with `ECONNRESET`, `EPIPE`, `ECONNABORTED` or `ETIMEDOUT` underneath), and a phase
 * that timed out before the answer (`ERR_PROXY_TIMEOUT`; `ERR_TIMEOUT` in `lookup`, `connect`, `secureConnect`,
 * `send`, `response` or `socket`). Never: an answer (`ERR_MATRIX_REMOTE`, `ERR_HTTP_STATUS`, the proxy's other
 * refusals such as an ACL's 403, `ERR_PROXY_AUTH_REQUIRED`), a refusal by the configuration
 * (`ERR_FEDERATION_DENIED`, `ERR_IP_BLOCKED`), a size (`ERR_RESPONSE_TOO_LARGE`), TLS or protocol failures, an
 * abort, an overall deadline (`request`, `deadline`) or a body below the minimum rate (`rate`), and any error that
 * is not outbound-http's.
 */
import { isOutboundHttpError } from '@homeserver/outbound-http';

const RESET_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT']);
/** The proxy's answers to CONNECT that mean it could not reach the destination (Squid: 503 for a refused port). */
const PROXY_UNREACHED: ReadonlySet<number> = new Set([502, 503, 504]);
const EARLY_PHASES: ReadonlySet<string> = new Set([
	'lookup',
	'connect',
	'secureConnect',
	'send',
	'response',
	'socket',
]);

/** The first Node error code (`ECONNRESET`...) on `error`'s cause chain, if any. */
function rootErrno(error: Error): string | undefined {
	let current: unknown = error.cause;
	for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
		const code = (current as NodeJS.ErrnoException).code;
		if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
		current = current.cause;
	}
	return undefined;
}

/** Whether `error`, thrown by a federation request before its answer, is a network-level failure (see above). */
export function isNetworkFailure(error: unknown): boolean {
	if (!isOutboundHttpError(error)) return false;
	switch (error.code) {
		case 'ERR_DESTINATION_UNREACHABLE':
		case 'ERR_PROXY_UNREACHABLE':
		case 'ERR_PROXY_TIMEOUT':
			return true;
		case 'ERR_PROXY_REFUSED': {
			const status = (error as { statusCode?: unknown }).statusCode;
			return typeof status === 'number' && PROXY_UNREACHED.has(status);
		}
		case 'ERR_REQUEST_FAILED': {
			const errno = rootErrno(error);
			return errno !== undefined && RESET_CODES.has(errno);
		}
		case 'ERR_TIMEOUT': {
			const phase = (error as { phase?: unknown }).phase;
			return typeof phase === 'string' && EARLY_PHASES.has(phase);
		}
		default:
			return false;
	}
}
