#!/usr/bin/env node
/** The `federation-sender` executable: the real process around {@link runCli}. */
import { runCli } from './cli/main.js';
import { processIo } from './cli/io.js';
import { createFederationTransport, createResolutionExplainer } from './transport/federation-transport.js';

process.exitCode = await runCli(
	process.argv.slice(2),
	processIo(
		(config, logger, metricsRegistry) => createFederationTransport(config, logger, { metricsRegistry }),
		createResolutionExplainer,
	),
);
