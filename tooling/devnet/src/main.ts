#!/usr/bin/env node
/**
 * `npm start`: starts the devnet, runs the scenario with a live report, prints the evidence and a summary, stops
 * everything it started (also on Ctrl-C and on errors), and exits 0 only when every check held.
 *
 *   devnet [--transactions N] [--proxy auto|squid|in-process] [--data-dir DIR]
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { errorCode } from '@homeserver/config';
import { redactSecrets } from './credentials.js';
import { startDevnet } from './devnet.js';
import type { Devnet } from './devnet-types.js';
import type { ProxyChoice } from './devnet-proxy.js';
import { DevnetError } from './errors.js';
import { formatEvent, formatPhase, formatSetup, formatSummary, palette, shortPath } from './report.js';
import { runScenario } from './scenario.js';

const USAGE = 'usage: devnet [--transactions N] [--proxy auto|squid|in-process] [--data-dir DIR]\n';

interface Arguments {
	readonly transactions: number;
	readonly proxy: ProxyChoice;
	readonly dataDir: string | undefined;
}

function parse(argv: readonly string[]): Arguments | undefined {
	const { values } = parseArgs({
		args: [...argv],
		options: {
			transactions: { type: 'string', default: '5' },
			proxy: { type: 'string', default: 'auto' },
			'data-dir': { type: 'string' },
			help: { type: 'boolean', short: 'h', default: false },
		},
		strict: true,
	});
	if (values.help) return undefined;
	const transactions = Number(values.transactions);
	if (!Number.isInteger(transactions) || transactions < 1 || transactions > 50) {
		throw new DevnetError('ERR_DEVNET_USAGE', '--transactions must be a whole number from 1 to 50');
	}
	if (values.proxy !== 'auto' && values.proxy !== 'squid' && values.proxy !== 'in-process') {
		throw new DevnetError('ERR_DEVNET_USAGE', '--proxy must be auto, squid or in-process');
	}
	return {
		transactions,
		proxy: values.proxy,
		dataDir: values['data-dir'] === undefined ? undefined : resolve(values['data-dir']),
	};
}

async function main(): Promise<number> {
	const colours = palette(process.stdout.isTTY === true);
	const cwd = process.cwd();
	let devnet: Devnet | undefined;
	let interrupted = false;
	const say = (line: string): void => {
		// After Ctrl-C, the steps still winding down have nothing useful to say.
		if (interrupted) return;
		process.stdout.write(`${devnet === undefined ? line : redactSecrets(line, devnet.secretForms)}\n`);
	};
	const onSignal = (signal: NodeJS.Signals): void => {
		if (interrupted) process.exit(130);
		interrupted = true;
		process.stderr.write(`\n${signal}: stopping everything the devnet started...\n`);
		void (devnet?.close() ?? Promise.resolve()).finally(() => process.exit(130));
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	try {
		const args = parse(process.argv.slice(2));
		if (args === undefined) {
			process.stdout.write(USAGE);
			return 0;
		}
		const started = performance.now();
		devnet = await startDevnet({
			proxy: args.proxy,
			...(args.dataDir === undefined ? {} : { dataDir: args.dataDir }),
		});
		for (const line of formatSetup(devnet, performance.now() - started, cwd, colours)) say(line);
		const result = await runScenario(devnet, {
			transactions: args.transactions,
			onPhase: (phase) => say(formatPhase(phase, colours)),
			onEvent: (event) => say(formatEvent(event, colours)),
		});
		await devnet.close();
		for (const line of formatSummary(result, devnet, performance.now() - started, cwd, colours)) say(line);
		return result.ok ? 0 : 1;
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		const text = devnet === undefined ? message : redactSecrets(message, devnet.secretForms);
		const code = errorCode(error) ?? 'ERR_UNKNOWN';
		process.stderr.write(`${colours.red('✗')} ${code}: ${text}\n`);
		if (/^ERR_(DEVNET_USAGE|PARSE_ARGS)/.test(code)) process.stderr.write(USAGE);
		await devnet?.close().catch(() => undefined);
		if (devnet !== undefined) {
			process.stderr.write(`  data and logs: ${shortPath(devnet.files.root, cwd)}/\n`);
		}
		return 1;
	} finally {
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
	}
}

process.exitCode = await main();
