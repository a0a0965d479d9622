/**
 * The `media-fetcher` command line (DESIGN.md section 6): `serve` and `fetch`. A failure prints `code: message`
 * on stderr and exits non-zero (2 for usage errors).
 */
import { errorCode } from '@homeserver/config';
import type { CliIo } from './io.js';

/** The usage text. */
export const USAGE = `usage:
  media-fetcher serve --config FILE
  media-fetcher fetch <mxc://server/id> --config FILE [--output FILE]
`;

/** Each command's module is loaded when it runs, so a command loads only what it needs (and `--help` nothing). */
const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
	serve: async (args, io) => (await import('./serve-command.js')).serveCommand(args, io),
	fetch: async (args, io) => (await import('./fetch-command.js')).fetchCommand(args, io),
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
		const usage = code === 'ERR_USAGE' || code.startsWith('ERR_PARSE_ARGS');
		io.stderr.write(`${usage ? 'ERR_USAGE' : code}: ${message}\n`);
		return usage ? 2 : 1;
	}
}
