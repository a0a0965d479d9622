/**
 * Command-line flags of `npm run bench`: which scenarios to run, how big, and where the report goes.
 */

/** Parsed flags. */
export interface BenchArgs {
	/** Scenario ids to run (`--only a,b` or repeated `--only`); empty means all. */
	readonly only: readonly string[];
	/** Tiny counts and short rounds, for smoke tests; the report says so. */
	readonly quick: boolean;
	/**
	 * Where the Markdown report is written. Defaults to the repository's BENCHMARKS.md for a full run, and to
	 * nowhere (stdout only) for `--quick` or `--only` runs, so a partial run never replaces the real figures.
	 */
	readonly out: string | null;
}

/** Usage text printed for `--help` and for a bad flag. */
export const usage = `usage: npm run bench -- [--only <scenario>[,<scenario>...]] [--quick] [--out FILE]
  --only   run only these scenarios (ids: proxy-requests, proxy-requests-node24, routing, media-streaming,
           federation-fanout, federation-sender-scale, memory-at-scale, tls-trust)
  --quick  tiny counts and short rounds (smoke test; figures are not meaningful)
  --out    write the Markdown report to FILE (default: BENCHMARKS.md at the repository root for a full run)`;

/** An invalid command line; the runner prints the message and the usage, then exits 2. */
export class ArgsError extends Error {
	override readonly name = 'ArgsError';
	readonly code = 'ERR_BENCH_ARGS';
}

/**
 * Parses `argv` (without the node and script entries).
 * @param defaultOut - the report path used for a full run.
 * @throws {@link ArgsError} on an unknown flag or a missing value.
 */
export function parseArgs(
	argv: readonly string[],
	defaultOut: string,
): BenchArgs & { readonly help: boolean } {
	const only: string[] = [];
	let quick = false;
	let help = false;
	let out: string | undefined;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i] ?? '';
		const [flag, inline] =
			arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
		const value = (): string => {
			const v = inline ?? argv[++i];
			if (v === undefined || v === '') throw new ArgsError(`${flag} needs a value`);
			return v;
		};
		switch (flag) {
			case '--only':
				only.push(
					...value()
						.split(',')
						.map((s) => s.trim())
						.filter(Boolean),
				);
				break;
			case '--quick':
				quick = true;
				break;
			case '--out':
				out = value();
				break;
			case '--help':
			case '-h':
				help = true;
				break;
			default:
				throw new ArgsError(`unknown argument: ${arg}`);
		}
	}
	const partial = quick || only.length > 0;
	return { only, quick, out: out ?? (partial ? null : defaultOut), help };
}
