/**
 * Deep freezing of the loaded configuration, so no consumer can change what another one sees.
 */

/** Freezes `value` and every object reachable from its own properties (enumerable or not); returns it. */
export function deepFreeze<T>(value: T, seen: WeakSet<object> = new WeakSet()): T {
	if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) {
		return value;
	}
	seen.add(value);
	for (const key of Reflect.ownKeys(value)) {
		const descriptor = Reflect.getOwnPropertyDescriptor(value, key);
		if (descriptor !== undefined && 'value' in descriptor) {
			deepFreeze(descriptor.value, seen);
		}
	}
	return Object.freeze(value);
}
