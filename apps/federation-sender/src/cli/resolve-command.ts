/**
 * `federation-sender resolve <server_name> --config FILE [--json]`: how a destination is reached: the spec's
 * resolution steps as the federation package took them (`.well-known`, SRV, port 8448), each candidate in the
 * order it is tried, and the route the connection takes (through the proxy or direct), with the same
 * configuration and outbound stack as `run`.
 */
import { parseArgs } from 'node:util';
import { formatHostPort } from '@homeserver/federation';
import { routeDecisionToJson } from '@homeserver/outbound-http';
import { FederationSenderError } from '../errors.js';
import { normaliseDestination } from '../outbox/destination.js';
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
	const serverName = normaliseDestination(positionals[0] ?? '');
	const config = io.loadConfig(values.config);
	const { http, resolver } = io.createResolverStack(config, io.createLogger());
	try {
		const candidates = await resolver.resolve(serverName);
		const rows = candidates.map((candidate) => {
			const url = `https://${formatHostPort(candidate.host, candidate.port)}/_matrix/federation/v1/send/`;
			return { ...candidate, route: routeDecisionToJson(http.route(url, 'federation')) };
		});
		if (values.json) {
			io.stdout.write(`${JSON.stringify({ serverName, candidates: rows }, null, 2)}\n`);
			return 0;
		}
		const lines = [`${serverName}:`];
		rows.forEach((row, index) => {
			lines.push(`  candidate ${index + 1}: ${formatHostPort(row.host, row.port)} (${row.source})`);
			lines.push(
				`    Host: ${row.hostHeader}; TLS name: ${row.serverName}; SNI: ${row.sni ?? 'none (IP address)'}`,
			);
			const via =
				row.route.route === 'proxy'
					? `proxy ${row.route.proxy ?? ''} (${row.route.mode ?? ''})`
					: row.route.route;
			lines.push(`    route: ${via}, connect ${row.route.connect ?? '-'} (${row.route.reason})`);
			for (const step of row.steps) lines.push(`    - ${step}`);
		});
		io.stdout.write(`${lines.join('\n')}\n`);
		return 0;
	} finally {
		http.close();
	}
}
