import type { Readable } from 'node:stream';
import { describeInput, FederationAbortedError } from './errors.js';

/** The error of an aborted request to `destination`; the signal's reason stays on `cause`. */
export function abortedError(destination: string, signal: AbortSignal): FederationAbortedError {
	const reason: unknown = signal.reason;
	const why = reason instanceof Error ? `: ${reason.message}` : '';
	return new FederationAbortedError(`the request to ${describeInput(destination)} was aborted${why}`, {
		cause: reason,
	});
}

/**
 * Settles with `work`, or rejects with {@link abortedError} as soon as `signal` aborts. Used for the server-name
 * resolution, which is shared through the resolver's caches and so is not cut for one caller: it goes on, and its
 * outcome is ignored here.
 */
export function unlessAborted<T>(
	work: Promise<T>,
	signal: AbortSignal | undefined,
	destination: string,
): Promise<T> {
	if (signal === undefined) return work;
	if (signal.aborted) {
		work.catch(() => undefined);
		return Promise.reject(abortedError(destination, signal));
	}
	return new Promise<T>((resolve, reject) => {
		const onAbort = (): void => reject(abortedError(destination, signal));
		signal.addEventListener('abort', onAbort, { once: true });
		work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
	});
}

/**
 * Destroys `stream` (a got request stream: the request is cancelled and its socket released) with
 * {@link abortedError} when `signal` aborts, until the stream closes. got wraps the error it is destroyed with, so
 * readers see `code: 'ERR_ABORTED'` with this error on `cause`.
 */
export function destroyOnAbort(stream: Readable, signal: AbortSignal | undefined, destination: string): void {
	if (signal === undefined) return;
	const onAbort = (): void => {
		stream.destroy(abortedError(destination, signal));
	};
	if (signal.aborted) {
		onAbort();
		return;
	}
	signal.addEventListener('abort', onAbort, { once: true });
	stream.once('close', () => signal.removeEventListener('abort', onAbort));
}
