import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errorCode, terminalSafe, terminalSafeJson } from '@homeserver/config';
import type { Config } from '@homeserver/config';
import type { OutboundHttpOptions } from '../client/outbound-http.js';
import { routeDecisionToJson } from '../route/route-decision.js';
import { routerFor } from '../route/router.js';
import { UsageError } from '../errors/usage-error.js';
import { parseCliArgs } from './cli-args.js';
import type { CliCommand } from './cli-args.js';
import { USAGE } from './usage.js';

/** What the CLI talks to; the entry point passes the process's, tests their own. */
export interface CliIo {
	readonly stdout: Writable;
	readonly stderr: Writable;
	/** Loads the configuration (`loadConfigFromProcess` in the real CLI: the only place env is read). */
	readonly loadConfig: (configPath: string | undefined) => Config;
	/** Extra options for the outbound stack of `get` (tests inject a lookup). */
	readonly outbound?: OutboundHttpOptions;
}

type RunCommand = Exclude<CliCommand, { kind: 'help' }>;

function printRoute(command: RunCommand, config: Config, io: CliIo): void {
	const decision = routerFor(config).route(command.url, command.purpose);
	const json = routeDecisionToJson(decision);
	if (command.json) {
		io.stdout.write(`${terminalSafeJson(json)}\n`);
		return;
	}
	const route = json.mode === null ? json.route : `${json.route} (${json.mode})`;
	const lines = [
		['route', route],
		['url', json.url],
		['purpose', json.purpose],
		['proxy', json.proxy ?? '-'],
		['connect', json.connect ?? '-'],
		['reason', json.reason],
	];
	// URLs, hosts and reasons quote the input: escaped, so nothing in them can act on the terminal.
	io.stdout.write(
		lines.map(([name, value]) => `${`${name}:`.padEnd(9)}${terminalSafe(value ?? '')}\n`).join(''),
	);
}

async function get(command: RunCommand, config: Config, io: CliIo): Promise<void> {
	// Loaded here, not at start-up: the client brings got, pino and prom-client, which `route` never needs.
	const { createOutboundHttp } = await import('../client/outbound-http.js');
	const stack = createOutboundHttp(config, { retryLimit: 0, ...io.outbound });
	const context = command.maxBytes === undefined ? {} : { maxBytes: command.maxBytes };
	try {
		const body = stack.client(command.purpose).stream(command.url, { context });
		if (command.output === undefined) {
			await pipeline(body, io.stdout, { end: false });
			return;
		}
		// Never leave a partial file under the requested name: write beside it, rename when complete.
		const temporary = join(
			dirname(command.output),
			`.${basename(command.output)}.${randomBytes(4).toString('hex')}.part`,
		);
		try {
			await pipeline(body, createWriteStream(temporary, { flags: 'wx' }));
			await rename(temporary, command.output);
		} finally {
			await rm(temporary, { force: true });
		}
	} finally {
		stack.close();
	}
}

function errorLine(error: unknown): string {
	if (error instanceof Error) {
		return `${terminalSafe(errorCode(error) ?? 'ERR_UNEXPECTED')}: ${terminalSafe(error.message)}\n`;
	}
	return `ERR_UNEXPECTED: ${terminalSafe(String(error))}\n`;
}

/**
 * Runs `outbound-http route|get` (docs/architecture.md 6) and resolves with the exit status: 0 on success, 1 when the
 * command fails (`CODE: message` on stderr), 2 for a usage error. Configuration warnings go to stderr.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
	let command: CliCommand;
	try {
		command = parseCliArgs(argv);
	} catch (error) {
		io.stderr.write(`${errorLine(error)}\n${USAGE}`);
		return error instanceof UsageError ? 2 : 1;
	}
	if (command.kind === 'help') {
		io.stdout.write(USAGE);
		return 0;
	}
	try {
		const config = io.loadConfig(command.configPath);
		for (const warning of config.warnings) io.stderr.write(`warning: ${terminalSafe(warning)}\n`);
		if (command.kind === 'route') printRoute(command, config, io);
		else await get(command, config, io);
		return 0;
	} catch (error) {
		io.stderr.write(errorLine(error));
		return 1;
	}
}
