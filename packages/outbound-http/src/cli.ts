#!/usr/bin/env node
// The `outbound-http` command (docs/architecture.md 6): `route` and `get`. The only place it touches the process.
import { loadConfigFromProcess } from '@homeserver/config';
import { runCli } from './cli/run-cli.js';

process.exitCode = await runCli(process.argv.slice(2), {
	stdout: process.stdout,
	stderr: process.stderr,
	loadConfig: (configPath) => loadConfigFromProcess(configPath),
});
