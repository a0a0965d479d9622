import { parseArgs } from 'node:util';
import type { Purpose } from '@homeserver/config';
import { UsageError } from '../errors/usage-error.js';

/** A parsed command line. */
export type CliCommand =
	| { readonly kind: 'help' }
	| {
			readonly kind: 'route' | 'get';
			readonly url: string;
			readonly purpose: Purpose;
			readonly configPath: string | undefined;
			readonly json: boolean;
			readonly output: string | undefined;
			readonly maxBytes: number | undefined;
	  };

/** The purpose `--purpose` defaults to: fetching a URL on a user's behalf. */
export const DEFAULT_PURPOSE: Purpose = 'url_preview';

/** Parses `route|get <url> [options]` (docs/architecture.md 6); throws {@link UsageError}. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
	let parsed;
	try {
		parsed = parseArgs({
			args: [...argv],
			allowPositionals: true,
			strict: true,
			options: {
				purpose: { type: 'string' },
				config: { type: 'string' },
				json: { type: 'boolean' },
				output: { type: 'string' },
				'max-bytes': { type: 'string' },
				help: { type: 'boolean', short: 'h' },
			},
		});
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
	const { values, positionals } = parsed;
	if (values.help === true) return { kind: 'help' };
	const [command, url, ...extra] = positionals;
	if (command !== 'route' && command !== 'get') {
		throw new UsageError(
			command === undefined ? 'missing command (route or get)' : `unknown command ${JSON.stringify(command)}`,
		);
	}
	if (url === undefined) throw new UsageError(`${command} needs a URL`);
	if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
	if (command === 'route' && (values.output !== undefined || values['max-bytes'] !== undefined)) {
		throw new UsageError('--output and --max-bytes belong to get');
	}
	if (command === 'get' && values.json === true) throw new UsageError('--json belongs to route');
	const maxText = values['max-bytes'];
	if (maxText !== undefined && !/^\d{1,15}$/.test(maxText)) {
		throw new UsageError(`--max-bytes must be a number of bytes, got ${JSON.stringify(maxText)}`);
	}
	return {
		kind: command,
		url,
		purpose: (values.purpose ?? DEFAULT_PURPOSE) as Purpose,
		configPath: values.config,
		json: values.json === true,
		output: values.output,
		maxBytes: maxText === undefined ? undefined : Number(maxText),
	};
}
