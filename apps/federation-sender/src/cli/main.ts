/**
 * The `federation-sender` command line (DESIGN.md section 6): dispatches to `run`, `enqueue`, `status` and
 * `resolve`. A failure prints `code: message` on stderr and exits non-zero (2 for usage errors).
 */
import { errorCode } from '@homeserver/config';
import type { CliIo } from './io.js';

/** The usage text. */
export const USAGE = `usage:
  federation-sender run --config FILE
  federation-sender enqueue --config FILE --destination SERVER (--pdu FILE | --edu FILE)...
  federation-sender status --config FILE [--json]
  federation-sender resolve <server_name> --config FILE [--json]
`;

/** Each command's module is loaded when it runs, so a command loads only what it needs (and `--help` nothing). */
const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
	run: async (args, io) => (await import('./run-command.js')).runCommand(args, io),
	enqueue: async (args, io) => (await import('./enqueue-command.js')).enqueueCommand(args, io),
	status: async (args, io) => (await import('./status-command.js')).statusCommand(args, io),
	resolve: async (args, io) => (await import('./resolve-command.js')).resolveCommand(args, io),
};

/** Runs the CLI with `argv` (without node and script); resolves with the exit code, never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
	const [name, ...args] = argv;
	if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
		(name === undefined ? io.stderr : io.stdout).write(USAGE);
		return name === undefined ? 2 : 0;
	}
	const command = COMMANDS[name];
	if (command === undefined) {
		io.stderr.write(`ERR_USAGE: unknown command ${JSON.stringify(name)}\n${USAGE}`);
		return 2;
	}
	try {
		return await command(args, io);
	} catch (error) {
		const code = errorCode(error) ?? 'ERR_UNEXPECTED';
		const message = error instanceof Error ? error.message : String(error);
		// node:util parseArgs errors carry codes such as ERR_PARSE_ARGS_UNKNOWN_OPTION: report them as usage errors.
		const usage = code === 'ERR_USAGE' || code.startsWith('ERR_PARSE_ARGS');
		io.stderr.write(`${usage ? 'ERR_USAGE' : code}: ${message}\n`);
		return usage ? 2 : 1;
	}
}
