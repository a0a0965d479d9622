import { redactProxyString, redactSecrets } from './redact.js';

/**
 * The errors of `@homeserver/config`, in the workspace's one convention (docs/architecture.md, "Errors"): the
 * catalogue {@link CONFIG_ERRORS} is the single source of the codes (documented in `docs/errors.md`, kept in step
 * by a test), {@link ConfigError} the one class, {@link isConfigError} the typed guard.
 */

/** Every code this package throws, with its meaning. */
export const CONFIG_ERRORS = {
	ERR_CONFIG_INVALID: {
		meaning:
			'The configuration (homeserver.yaml, the proxy environment) is invalid; every problem is listed.',
	},
} as const satisfies Readonly<Record<string, { readonly meaning: string }>>;

/** A stable code of {@link ConfigError}. */
export type ConfigErrorCode = keyof typeof CONFIG_ERRORS;

/** One thing wrong with the configuration. */
export interface ConfigProblem {
	/** The key (`max_upload_size`, `federation_sender.database.args.database`) or the environment variable
	 * (`HTTPS_PROXY (environment)`) at fault. */
	readonly key: string;
	/** The offending value as text, with any password replaced by `***`; empty when there is no value to show. */
	readonly value: string;
	/** Why it is wrong, in words an operator can act on. */
	readonly reason: string;
}

/**
 * Thrown by the loader and the parsers when the configuration is invalid. It lists every problem found,
 * not just the first, so an operator fixes the file in one go. Values in it never contain credentials.
 */
export class ConfigError extends Error {
	/** Stable code for programs and for the CLIs' stderr line. */
	readonly code: ConfigErrorCode = 'ERR_CONFIG_INVALID';
	/** Every problem found, in the order found. */
	readonly problems: readonly ConfigProblem[];

	/**
	 * @param problems at least one problem; frozen and kept on {@link ConfigError.problems}.
	 * @param options `cause` (the original error, e.g. a file-system error) and `context` (e.g. the file name)
	 *   shown in the first line of the message.
	 */
	constructor(problems: readonly ConfigProblem[], options: { cause?: unknown; context?: string } = {}) {
		super(
			formatMessage(problems, options.context),
			options.cause === undefined ? {} : { cause: options.cause },
		);
		this.name = new.target.name;
		this.problems = Object.freeze(problems.map((problem) => Object.freeze({ ...problem })));
	}
}

/** True when `error` is a {@link ConfigError}, with the given code when one is given. */
export function isConfigError(error: unknown, code?: ConfigErrorCode): error is ConfigError {
	return error instanceof ConfigError && (code === undefined || error.code === code);
}

function formatMessage(problems: readonly ConfigProblem[], context: string | undefined): string {
	const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
	const head = `Invalid configuration${context === undefined ? '' : ` (${context})`}, ${count}:`;
	const lines = problems.map(
		(problem) =>
			`  - ${problem.key}: ${problem.reason}${problem.value === '' ? '' : ` (value: ${problem.value})`}`,
	);
	return [head, ...lines].join('\n');
}

/**
 * Collects problems while a whole configuration is checked, so that all of them are reported at once.
 * Internal to this package.
 */
export class Problems {
	readonly list: ConfigProblem[] = [];

	/** Records a problem; `value` must already be redacted. */
	add(key: string, value: string, reason: string): void {
		this.list.push({ key, value, reason });
	}

	/** How many problems so far (to tell whether a step added any). */
	get size(): number {
		return this.list.length;
	}

	/** Throws one {@link ConfigError} listing everything when anything was recorded. */
	throwIfAny(context?: string): void {
		if (this.list.length > 0) {
			throw new ConfigError(this.list, context === undefined ? {} : { context });
		}
	}
}

/**
 * Shows a value in a message: strings quoted, long values cut to 200 characters, and, wherever it is, the
 * password of anything shaped like `user:password@host` replaced by `***`, as are secret-looking keys.
 */
export function showValue(value: unknown): string {
	let text: string;
	if (typeof value === 'string') {
		text = JSON.stringify(redactProxyString(value));
	} else if (value === undefined) {
		text = 'undefined';
	} else {
		try {
			text = JSON.stringify(redactSecrets(value)) ?? typeof value;
		} catch {
			text = `(${typeof value})`;
		}
	}
	return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
