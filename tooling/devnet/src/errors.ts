/**
 * The errors of the devnet, in the workspace's one convention (docs/architecture.md, "Errors"): the catalogue
 * {@link DEVNET_ERRORS} is the single source of the codes (documented in `docs/errors.md`, kept in step by a test),
 * one class with a stable `code` that keeps a wrapped error on `cause`, and a typed guard. Messages never contain
 * the proxy password.
 */

/** Every code the devnet throws, with its meaning. */
export const DEVNET_ERRORS = {
	ERR_DEVNET_NOT_BUILT: { meaning: 'A workspace the devnet runs has not been built (no dist/).' },
	ERR_DEVNET_START: {
		meaning: 'A part of the devnet (the proxy, the data directory, a port) could not start.',
	},
	ERR_DEVNET_WORKER: { meaning: 'A worker exited or reported an error before it was ready.' },
	ERR_DEVNET_TIMEOUT: { meaning: 'A worker or child process did not become ready or stop in time.' },
	ERR_DEVNET_STEP: { meaning: 'A step of the scenario did not see the expected result.' },
	ERR_DEVNET_USAGE: { meaning: 'The devnet command line is wrong.' },
} as const satisfies Readonly<Record<string, { readonly meaning: string }>>;

/** A stable code of {@link DevnetError}. */
export type DevnetErrorCode = keyof typeof DEVNET_ERRORS;

/** A devnet failure: what went wrong, in words an operator understands, with a stable code. */
export class DevnetError extends Error {
	readonly code: DevnetErrorCode;

	constructor(code: DevnetErrorCode, message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = new.target.name;
		this.code = code;
	}
}

/** True when `error` is a {@link DevnetError}, with the given code when one is given. */
export function isDevnetError(error: unknown, code?: DevnetErrorCode): error is DevnetError {
	return error instanceof DevnetError && (code === undefined || error.code === code);
}
