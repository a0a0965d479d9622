/**
 * `npm run bench`: runs every scenario one after the other in this process (children it starts, such as
 * Squid, origin servers and curl, stay in its process group), then writes BENCHMARKS.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { ArgsError, parseArgs, usage } from './lib/cli-args.js';
import { describeMachine } from './lib/machine.js';
import { extractAnalysis, renderReport } from './lib/markdown.js';
import type { ScenarioOutcome } from './lib/markdown.js';
import { describeError } from './lib/load.js';
import { scenarios } from './scenarios/index.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const defaultOut = `${repoRoot}BENCHMARKS.md`;

/** The report a previous run wrote there, or '' (its hand-written analysis is carried over). */
function readPrevious(file: string): string {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return '';
	}
}

async function main(argv: readonly string[]): Promise<number> {
	let args;
	try {
		args = parseArgs(argv, defaultOut);
	} catch (error) {
		if (!(error instanceof ArgsError)) throw error;
		console.error(`bench: ${error.message}\n${usage}`);
		return 2;
	}
	if (args.help) {
		console.log(usage);
		return 0;
	}
	const unknown = args.only.filter((id) => !scenarios.some((s) => s.id === id));
	if (unknown.length > 0) {
		console.error(`bench: unknown scenario ${unknown.join(', ')}\n${usage}`);
		return 2;
	}
	const selected = scenarios.filter((s) => args.only.length === 0 || args.only.includes(s.id));
	const command = `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`;
	const machine = describeMachine(command);
	console.error(
		`bench: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAtStart.toFixed(2)}`,
	);
	const t0 = performance.now();
	const outcomes: ScenarioOutcome[] = [];
	for (const scenario of selected) {
		console.error(`bench: ${scenario.id}: start`);
		const s0 = performance.now();
		let result: ScenarioOutcome['result'];
		try {
			result = {
				ok: true,
				report: await scenario.run({
					quick: args.quick,
					log: (m) => console.error(`bench: ${scenario.id}: ${m}`),
				}),
			};
		} catch (error) {
			console.error(error);
			result = { ok: false, error: describeError(error) };
		}
		const elapsedMs = performance.now() - s0;
		console.error(`bench: ${scenario.id}: done in ${(elapsedMs / 1000).toFixed(1)} s`);
		outcomes.push({ id: scenario.id, title: scenario.title, elapsedMs, result });
	}
	const previous = args.out === null ? '' : readPrevious(args.out);
	const markdown = renderReport(machine, outcomes, {
		quick: args.quick,
		totalMs: performance.now() - t0,
		analysis: extractAnalysis(previous),
	});
	if (args.out === null) {
		console.log(markdown);
	} else {
		writeFileSync(args.out, markdown);
		console.error(`bench: wrote ${args.out}`);
	}
	return outcomes.every((o) => o.result.ok) ? 0 : 1;
}

// Exit explicitly: a peer library's keep-alive socket or timer must not keep a finished run alive.
process.exit(await main(process.argv.slice(2)));
