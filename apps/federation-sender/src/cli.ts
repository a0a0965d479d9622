#!/usr/bin/env node
/** The `federation-sender` executable: the real process around {@link runCli}. */
import { runCli } from './cli/main.js';
import { processIo } from './cli/io.js';

// The federation stack (got, outbound-http, federation) is loaded only by the commands that use it (`run`, `resolve`).
const transport = () => import('./transport/federation-transport.js');

process.exitCode = await runCli(
	process.argv.slice(2),
	processIo(
		async (config, logger, metricsRegistry) =>
			(await transport()).createFederationTransport(config, logger, { metricsRegistry }),
		async (config, logger) => (await transport()).createResolutionExplainer(config, logger),
	),
);
