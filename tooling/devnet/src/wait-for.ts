/** Polling with a deadline, for state that another process changes (a remote's log, a worker's outbox). */
import { DevnetError } from './errors.js';

/** Resolves with the first defined value `probe` returns, polling every `intervalMs`; rejects after `timeoutMs`. */
export async function waitFor<T>(
	probe: () => T | undefined | Promise<T | undefined>,
	timeoutMs: number,
	intervalMs = 20,
): Promise<T> {
	const deadline = performance.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (performance.now() > deadline) {
			throw new DevnetError('ERR_DEVNET_TIMEOUT', `condition not met within ${timeoutMs} ms`);
		}
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
	}
}
