import type { Readable } from 'node:stream';
import { describeInput, FederationAbortedError, FederationTimeoutError } from './errors.js';

/**
 * The error of an aborted request to `destination`; the signal's reason stays on `cause`. A signal aborted by a
 * request's own deadline (see deadline.ts) gives that {@link FederationTimeoutError} itself.
 */
export function abortedError(
	destination: string,
	signal: AbortSignal,
): FederationAbortedError | FederationTimeoutError {
	const reason: unknown = signal.reason;
	if (reason instanceof FederationTimeoutError) return reason;
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

/**
 * Settles with `work`, or rejects with `signal.reason` once `signal` aborts (whatever `work` does: an injected DNS
 * resolver or fetcher that ignores signals cannot hold the caller). `work`'s later outcome is ignored.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
	if (signal.aborted) {
		work.catch(() => undefined);
		return Promise.reject(signal.reason as Error);
	}
	return new Promise<T>((resolve, reject) => {
		const onAbort = (): void => reject(signal.reason as Error);
		signal.addEventListener('abort', onAbort, { once: true });
		work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
	});
}

/** A signal aborted after `ms` with `reason()`, and the function that clears its timer early. */
export function timeoutSignal(ms: number, reason: () => Error): { signal: AbortSignal; clear: () => void } {
	const controller = new AbortController();
	const timer = setTimeout(() => controller.abort(reason()), ms);
	return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
