/**
 * The `federation-sender` command line (docs/architecture.md 6): dispatches to `run`, `enqueue`, `status` and
 * `resolve` through the shared `dispatchCommand`. A failure prints `code: message` on stderr and exits non-zero (2 for usage errors).
 */
import { dispatchCommand, type CommandTable } from '@homeserver/config';
import type { CliIo } from './io.js';

/** The usage text. */
export const USAGE = `usage:
  federation-sender run --config FILE [--instance NAME]
  federation-sender enqueue --config FILE --destination SERVER (--pdu FILE | --edu FILE)...
  federation-sender status --config FILE [--json]
  federation-sender resolve <server_name> --config FILE [--json]
`;

/** Each command's module is loaded when it runs, so a command loads only what it needs (and `--help` nothing). */
const COMMANDS: CommandTable<CliIo> = {
	usage: USAGE,
	commands: {
		run: async (args, io) => (await import('./run-command.js')).runCommand(args, io),
		enqueue: async (args, io) => (await import('./enqueue-command.js')).enqueueCommand(args, io),
		status: async (args, io) => (await import('./status-command.js')).statusCommand(args, io),
		resolve: async (args, io) => (await import('./resolve-command.js')).resolveCommand(args, io),
	},
};

/** Runs the CLI with `argv` (without node and script); resolves with the exit code, never throws. */
export function runCli(argv: readonly string[], io: CliIo): Promise<number> {
	return dispatchCommand(COMMANDS, argv, io);
}
