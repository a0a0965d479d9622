/**
 * A `dns.lookup` replacement that maps every name under one suffix to 127.0.0.1 and refuses all others.
 * Unlike testkit's `loopbackLookup` it records nothing, so a run over 10,000 names does not grow the very
 * memory it measures.
 */
import type { LookupAddress, LookupOptions } from 'node:dns';

type Callback = (
	error: NodeJS.ErrnoException | null,
	address: string | LookupAddress[],
	family?: number,
) => void;

/** A lookup resolving `*.<suffix>` (and `suffix` itself) to 127.0.0.1. */
export function suffixLookup(suffix: string) {
	const dotted = `.${suffix}`;
	return (hostname: string, options: LookupOptions | number | Callback, maybeCallback?: Callback): void => {
		const callback = typeof options === 'function' ? options : maybeCallback!;
		const all = typeof options === 'object' && options.all === true;
		const name = hostname.toLowerCase();
		process.nextTick(() => {
			if (name !== suffix && !name.endsWith(dotted)) {
				const error: NodeJS.ErrnoException = new Error(
					`getaddrinfo ENOTFOUND ${hostname} (not a bench name)`,
				);
				error.code = 'ENOTFOUND';
				callback(error, '');
			} else if (all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
			else callback(null, '127.0.0.1', 4);
		});
	};
}
