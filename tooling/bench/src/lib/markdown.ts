/**
 * Renders the run as BENCHMARKS.md: the machine and command first, a summary of targets, then one section
 * per scenario with its method, tables of medians and ratios, targets and notes.
 */
import type { MachineInfo } from './machine.js';
import type { ScenarioReport, Table, TargetResult } from './scenario.js';

/** A scenario's outcome as the runner saw it. */
export interface ScenarioOutcome {
	readonly id: string;
	readonly title: string;
	readonly elapsedMs: number;
	/** The report, or the reason the scenario could not run. */
	readonly result:
		{ readonly ok: true; readonly report: ScenarioReport } | { readonly ok: false; readonly error: string };
}

const escapeCell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** A GitHub-flavoured Markdown table. */
export function renderTable(table: Pick<Table, 'columns' | 'rows'>): string {
	const head = `| ${table.columns.map(escapeCell).join(' | ')} |`;
	const numeric = (i: number): boolean =>
		i > 0 &&
		table.rows.some((r) => /^[\d.,-]/.test(r[i] ?? '')) &&
		table.rows.every((r) => /^(?:[\d.,-]|n\/a|$)/.test(r[i] ?? ''));
	const rule = `|${table.columns.map((_, i) => (numeric(i) ? ' ---: ' : ' --- ')).join('|')}|`;
	const body = table.rows.map((r) => `| ${r.map(escapeCell).join(' | ')} |`);
	return [head, rule, ...body].join('\n');
}

const verdict = (t: TargetResult): string => (t.met === null ? 'not measured' : t.met ? 'met' : '**missed**');

function renderTargets(targets: readonly TargetResult[]): string {
	return renderTable({
		columns: ['target', 'result', 'figures'],
		rows: targets.map((t) => [t.target, verdict(t), t.detail]),
	});
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Markers of the hand-written analysis block, which a new run keeps as it is. */
export const ANALYSIS_START = '<!-- analysis:start (hand-written; kept when the figures are regenerated) -->';
/** End marker of the hand-written analysis block. */
export const ANALYSIS_END = '<!-- analysis:end -->';

/** The hand-written analysis block of an earlier report (markers included), or undefined. */
export function extractAnalysis(previous: string): string | undefined {
	const start = previous.indexOf(ANALYSIS_START);
	const end = previous.indexOf(ANALYSIS_END);
	return start === -1 || end < start ? undefined : previous.slice(start, end + ANALYSIS_END.length);
}

/** The whole document. */
export function renderReport(
	machine: MachineInfo,
	outcomes: readonly ScenarioOutcome[],
	opts: { readonly quick: boolean; readonly totalMs: number; readonly analysis?: string | undefined },
): string {
	const out: string[] = [];
	out.push('# Benchmarks', '');
	out.push(
		'Written by `npm run bench` (workspace `tooling/bench`); do not edit by hand, run it again. Every figure is the',
		'median of several rounds measured side by side in one process group on this machine; every load talks to',
		'loopback only and is bounded in count and time.',
		'',
	);
	if (opts.quick) out.push('> **Smoke run (`--quick`)**: tiny counts, the figures below mean nothing.', '');
	out.push('## Machine and run', '');
	out.push(
		renderTable({
			columns: ['', ''],
			rows: [
				['CPU', machine.cpuModel],
				['Cores', String(machine.cores)],
				['Memory', `${machine.memoryGiB} GiB`],
				['Node', machine.node],
				['OS', machine.platform],
				['Load average (1 min) at start', machine.loadAtStart.toFixed(2)],
				['Date', machine.date],
				['Command', `\`${machine.command}\``],
				['Commit', machine.commit],
				['Duration', seconds(opts.totalMs)],
			],
		}),
		'',
	);
	out.push('## Targets', '');
	const summary: string[][] = [];
	for (const o of outcomes) {
		if (!o.result.ok) summary.push([o.title, 'did not run', o.result.error]);
		else
			for (const t of o.result.report.targets)
				summary.push([`${o.title}: ${t.target}`, verdict(t), t.detail]);
	}
	out.push(renderTable({ columns: ['target', 'result', 'figures'], rows: summary }), '');
	out.push('## Analysis', '');
	out.push(
		opts.analysis ??
			[
				ANALYSIS_START,
				'',
				'Why each missed target is missed, and what would fix it, goes here.',
				'',
				ANALYSIS_END,
			].join('\n'),
		'',
	);
	for (const [i, o] of outcomes.entries()) {
		out.push(`## ${i + 1}. ${o.title}`, '');
		out.push(`Scenario \`${o.id}\`, ${seconds(o.elapsedMs)}.`, '');
		if (!o.result.ok) {
			out.push(`Did not run: ${o.result.error}`, '');
			continue;
		}
		const r = o.result.report;
		out.push(r.method, '');
		for (const t of r.tables) out.push(`**${t.title}**`, '', renderTable(t), '');
		if (r.targets.length > 0) out.push('**Targets**', '', renderTargets(r.targets), '');
		if (r.notes.length > 0) out.push('**Notes**', '', ...r.notes.map((n) => `- ${n}`), '');
	}
	return out.join('\n');
}
