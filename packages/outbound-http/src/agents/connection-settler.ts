/**
 * The settle-once step both proxy agents need in `createConnection`: Node's agent gets exactly one answer per
 * connection attempt (a socket, or an error), the attempt's deadline is cleared with it, and a socket that loses
 * the race (a late connect after a timeout, a failure half-way) is destroyed without an unhandled `'error'`.
 */
import type { Duplex } from 'node:stream';
import { OutboundHttpError } from '../errors/outbound-http-error.js';

/** The callback of `Agent#createConnection`. */
export type ConnectionCallback = (error: Error | null, socket: Duplex) => void;

/** One connection attempt's outcome, settled once. */
export interface ConnectionSettler {
	/** Whether the attempt was already answered (work still under way should stop). */
	readonly settled: boolean;
	/** (Re)arms the attempt's deadline: after `ms`, `expire` runs (and should call {@link settle} with an error). */
	deadline(ms: number, expire: () => void): void;
	/** Answers with `socket`, or with `error` (then the socket in progress, if any, is destroyed). Later calls do nothing. */
	settle(error: Error | null, socket?: Duplex): void;
}

const ignore = (): void => undefined;

/**
 * A settler for `callback`; `inProgress` returns the socket being set up at the time of a failure (destroyed
 * then).
 */
export function connectionSettler(
	callback: ConnectionCallback,
	inProgress: () => Duplex | undefined,
): ConnectionSettler {
	let settled = false;
	let timer: NodeJS.Timeout | undefined;
	return {
		get settled() {
			return settled;
		},
		deadline(ms, expire) {
			clearTimeout(timer);
			timer = setTimeout(expire, ms);
		},
		settle(error, socket) {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			if (error !== null || socket === undefined) {
				// A late error from a socket we are discarding must not become an unhandled 'error' event.
				inProgress()?.on('error', ignore).destroy();
				callback(error ?? new OutboundHttpError('ERR_INTERNAL', 'no socket'), undefined as unknown as Duplex);
				return;
			}
			callback(null, socket);
		},
	};
}
