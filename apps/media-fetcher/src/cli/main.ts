/**
 * The `media-fetcher` command line (docs/architecture.md 6): `serve` and `fetch`, through the
 * shared `dispatchCommand`. A failure prints `code: message`
 * on stderr and exits non-zero (2 for usage errors).
 */
import { dispatchCommand, type CommandTable } from '@homeserver/config';
import type { CliIo } from './io.js';

/** The usage text. */
export const USAGE = `usage:
  media-fetcher serve --config FILE
  media-fetcher fetch <mxc://server/id> --config FILE [--output FILE]
`;

/** Each command's module is loaded when it runs, so a command loads only what it needs (and `--help` nothing). */
const COMMANDS: CommandTable<CliIo> = {
	usage: USAGE,
	commands: {
		serve: async (args, io) => (await import('./serve-command.js')).serveCommand(args, io),
		fetch: async (args, io) => (await import('./fetch-command.js')).fetchCommand(args, io),
	},
};

/** Runs the CLI with `argv` (without node and script); resolves with the exit code, never throws. */
export function runCli(argv: readonly string[], io: CliIo): Promise<number> {
	return dispatchCommand(COMMANDS, argv, io);
}
