/**
 * How many generated cases each fuzzed property runs (SECURITY.md quotes these figures). Every property is a pure
 * or in-memory check, so these counts keep each file within a few seconds on one core.
 */
export const RUNS = {
	proxyUrlArbitrary: 10_000,
	proxyUrlValid: 4000,
	proxyUrlInvalid: 4000,
	noProxyArbitrary: 5000,
	noProxyModel: 5000,
	multipartValid: 3000,
	multipartGarbage: 5000,
	multipartStream: 1000,
	xMatrixRoundTrip: 3000,
	xMatrixGarbage: 10_000,
	canonicalReference: 5000,
	canonicalIdempotent: 3000,
	canonicalRejects: 3000,
	canonicalPython: 500,
} as const;
