/**
 * The `federation-sender` command line (docs/architecture.md 6): dispatches to `run`, `enqueue`, `status` and
 * `resolve` through the shared `dispatchCommand`. A failure prints `code: message` on stderr and exits non-zero (2 for usage errors).
 */
import { dispatchCommand, type CommandTable } from '@homeserver/config';
import { enqueueCommand } from './enqueue-command.js';
import type { CliIo } from './io.js';
import { resolveCommand } from './resolve-command.js';
import { runCommand } from './run-command.js';
import { statusCommand } from './status-command.js';

/** The usage text. */
export const USAGE = `usage:
  federation-sender run --config FILE [--instance NAME]
  federation-sender enqueue --config FILE --destination SERVER (--pdu FILE | --edu FILE)...
  federation-sender status --config FILE [--json]
  federation-sender resolve <server_name> --config FILE [--json]
`;

const COMMANDS: CommandTable<CliIo> = {
	usage: USAGE,
	commands: { run: runCommand, enqueue: enqueueCommand, status: statusCommand, resolve: resolveCommand },
};

/** Runs the CLI with `argv` (without node and script); resolves with the exit code, never throws. */
export function runCli(argv: readonly string[], io: CliIo): Promise<number> {
	return dispatchCommand(COMMANDS, argv, io);
}
