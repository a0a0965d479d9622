/**
 * The command dispatcher shared by the apps' command lines (docs/architecture.md 6): `<tool> <command> [args]`,
 * `--help`/`-h`/`help` print the usage on stdout (exit 0), no command prints it on stderr (exit 2), an unknown
 * command is `ERR_USAGE` (exit 2), and a failure of the command prints `code: message` on stderr (exit 1; exit 2
 * for `ERR_USAGE` and node:util `ERR_PARSE_ARGS_*` errors). It lives in the lowest package every CLI imports.
 */
import { errorCode } from '../error-code.js';
import { terminalSafe } from '../terminal-text.js';

/** Where the dispatcher writes. */
export interface CommandOutput {
	readonly stdout: { write(text: string): unknown };
	readonly stderr: { write(text: string): unknown };
}

/** One command: its arguments (after the command name) and the CLI's environment; resolves with the exit code. */
export type CliCommandHandler<Io> = (args: string[], io: Io) => Promise<number>;

/** What a CLI is made of. */
export interface CommandTable<Io> {
	/** The usage text, ending with a newline. */
	readonly usage: string;
	/** The commands by name. */
	readonly commands: Readonly<Record<string, CliCommandHandler<Io>>>;
}

/** Runs the command named by `argv[0]`; resolves with the exit code, never throws. */
export async function dispatchCommand<Io extends CommandOutput>(
	table: CommandTable<Io>,
	argv: readonly string[],
	io: Io,
): Promise<number> {
	const [name, ...args] = argv;
	if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
		(name === undefined ? io.stderr : io.stdout).write(table.usage);
		return name === undefined ? 2 : 0;
	}
	const command = Object.hasOwn(table.commands, name) ? table.commands[name] : undefined;
	if (command === undefined) {
		io.stderr.write(`ERR_USAGE: unknown command ${terminalSafe(JSON.stringify(name))}\n${table.usage}`);
		return 2;
	}
	try {
		return await command(args, io);
	} catch (error) {
		// A thrown value without a code is a bug of ours: it is printed as ERR_UNEXPECTED.
		const code = errorCode(error) ?? 'ERR_UNEXPECTED';
		const message = error instanceof Error ? error.message : String(error);
		// node:util parseArgs errors carry codes such as ERR_PARSE_ARGS_UNKNOWN_OPTION: report them as usage errors.
		const usage = code === 'ERR_USAGE' || code.startsWith('ERR_PARSE_ARGS');
		// Messages can carry what came from the network or an input file: no control character reaches the terminal.
		io.stderr.write(`${usage ? 'ERR_USAGE' : terminalSafe(code)}: ${terminalSafe(message)}\n`);
		return usage ? 2 : 1;
	}
}
