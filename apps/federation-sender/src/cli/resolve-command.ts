/**
 * `federation-sender resolve <server_name> --config FILE [--json]`: how a destination is reached, with the same
 * configuration, outbound stack and resolver as `run`: the spec's resolution steps (`.well-known`, SRV, port
 * 8448), the route of the `.well-known` fetch, and each candidate in the order it is tried with its TLS names and
 * route (through the proxy, direct, or blocked). The report is `@homeserver/federation`'s; a failed resolution
 * is reported too, then exits 1 with `code: message` on stderr.
 */
import { parseArgs } from 'node:util';
import { formatResolutionReport } from '@homeserver/federation';
import { UsageError } from '@homeserver/outbound-http';
import { normaliseDestination } from '../outbox/destination.js';
import type { CliIo } from './io.js';
import { terminalSafe, terminalSafeJson } from '@homeserver/config';

/** Runs `resolve`; returns the exit code. */
export async function resolveCommand(args: string[], io: CliIo): Promise<number> {
	const { values, positionals } = parseArgs({
		args,
		options: { config: { type: 'string' }, json: { type: 'boolean', default: false } },
		allowPositionals: true,
		strict: true,
	});
	if (positionals.length !== 1) throw new UsageError('give exactly one <server_name>');
	const serverName = normaliseDestination(positionals[0] ?? '');
	const config = io.loadConfig(values.config);
	const explainer = await io.createExplainer(config, io.createLogger());
	try {
		const report = await explainer.explain(serverName);
		// Steps quote what the network answered (.well-known, SRV targets): every line is escaped for the terminal.
		const text = values.json
			? `${terminalSafeJson(report, 2)}\n`
			: formatResolutionReport(report).split('\n').map(terminalSafe).join('\n');
		io.stdout.write(text);
		if (report.error === null) return 0;
		io.stderr.write(`${terminalSafe(report.error.code)}: ${terminalSafe(report.error.message)}\n`);
		return 1;
	} finally {
		explainer.close();
	}
}
